/*
 * A library named libssl.so with BoringSSL's signatures for the functions piaudit hooks, for testing the
 * native TLS hooks where no Android device runs (the real ones live in Android's libssl.so, Conscrypt's
 * libjavacrypto.so and Cronet). It behaves as the BoringSSL documentation says, on an in-memory "connection":
 *
 *   int SSL_write(SSL *ssl, const void *buf, int num);      bytes written (> 0), or <= 0 on error
 *   int SSL_read(SSL *ssl, void *buf, int num);             bytes read (> 0), or <= 0
 *   int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written);   1 on success, 0 on failure
 *   int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *read_bytes);     1 on success, 0 on failure
 *   const char *SSL_get_servername(const SSL *ssl, const int type);          the SNI, or NULL
 */
#include <stddef.h>
#include <string.h>

typedef struct ssl_st {
    const char *servername;
    int max_write;      /* > 0: a write takes at most this many bytes (a partial write) */
    int fail;           /* 1: every call fails */
    const char *incoming;
    size_t incoming_len;
    size_t incoming_at;
    char sent[4096];
    size_t sent_len;
} SSL;

int SSL_write(SSL *ssl, const void *buf, int num) {
    if (ssl->fail || num <= 0) {
        return -1;
    }
    int n = (ssl->max_write > 0 && num > ssl->max_write) ? ssl->max_write : num;
    if (ssl->sent_len + (size_t)n <= sizeof(ssl->sent)) {
        memcpy(ssl->sent + ssl->sent_len, buf, (size_t)n);
        ssl->sent_len += (size_t)n;
    }
    return n;
}

int SSL_read(SSL *ssl, void *buf, int num) {
    if (ssl->fail || num <= 0) {
        return -1;
    }
    size_t left = ssl->incoming_len - ssl->incoming_at;
    if (left == 0) {
        return 0; /* the peer closed */
    }
    size_t n = left < (size_t)num ? left : (size_t)num;
    memcpy(buf, ssl->incoming + ssl->incoming_at, n);
    ssl->incoming_at += n;
    return (int)n;
}

int SSL_write_ex(SSL *ssl, const void *buf, size_t num, size_t *written) {
    int n = SSL_write(ssl, buf, (int)num);
    if (n <= 0) {
        return 0;
    }
    *written = (size_t)n;
    return 1;
}

int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *read_bytes) {
    int n = SSL_read(ssl, buf, (int)num);
    if (n <= 0) {
        return 0;
    }
    *read_bytes = (size_t)n;
    return 1;
}

const char *SSL_get_servername(const SSL *ssl, const int type) {
    return type == 0 ? ssl->servername : NULL;
}
