#ifndef LEADLINE_COPENSSL_SHIM_H
#define LEADLINE_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

/* EVP_CIPHER_CTX_ctrl takes a void*; these name the GCM controls Swift cannot import as macros. */
static inline int leadline_gcm_set_ivlen(EVP_CIPHER_CTX *ctx, int len)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, len, NULL); }
static inline int leadline_gcm_get_tag(EVP_CIPHER_CTX *ctx, int len, void *tag)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, len, tag); }
static inline int leadline_gcm_set_tag(EVP_CIPHER_CTX *ctx, int len, void *tag)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, len, tag); }

#endif
