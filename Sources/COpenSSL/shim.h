#ifndef LEADLINE_COPENSSL_SHIM_H
#define LEADLINE_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* EVP_CIPHER_CTX_ctrl takes a void*; these name the GCM controls Swift cannot import as macros. */
static inline int leadline_gcm_set_ivlen(EVP_CIPHER_CTX *ctx, int len)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, len, NULL); }
static inline int leadline_gcm_get_tag(EVP_CIPHER_CTX *ctx, int len, void *tag)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, len, tag); }
static inline int leadline_gcm_set_tag(EVP_CIPHER_CTX *ctx, int len, void *tag)
{ return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, len, tag); }

/* A new RSA key of `bits` bits (EVP_RSA_gen is a macro over a variadic function, which Swift cannot call). */
static inline EVP_PKEY *leadline_rsa_generate(int bits)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    return key;
}

#endif
