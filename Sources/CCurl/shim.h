#ifndef LEADLINE_CCURL_SHIM_H
#define LEADLINE_CCURL_SHIM_H

/* curl_easy_setopt is C-variadic: the outbound client adds typed wrappers here as it needs them. */
#include <curl/curl.h>

#endif
