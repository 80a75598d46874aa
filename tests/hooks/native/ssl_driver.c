/*
 * Loads libssl.so (given by path) after start-up, as an app loads a TLS library late, and drives it:
 * full, partial and failing writes, reads, the _ex forms. Prints what each call returned and whether
 * the app's buffers came back unchanged, then exits.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ssl_st {
    const char *servername;
    int max_write;
    int fail;
    const char *incoming;
    size_t incoming_len;
    size_t incoming_at;
    char sent[4096];
    size_t sent_len;
} SSL;

static const char REQUEST[] =
    "POST /rqd/async HTTP/1.1\r\nHost: pin.example-sdk.com\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
    "{\"imei\":\"867530912345673\"}";
static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

int main(int argc, char **argv) {
    usleep(200 * 1000); /* the library comes later than the agent */
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    int (*ssl_write)(SSL *, const void *, int) = dlsym(lib, "SSL_write");
    int (*ssl_read)(SSL *, void *, int) = dlsym(lib, "SSL_read");
    int (*ssl_write_ex)(SSL *, const void *, size_t, size_t *) = dlsym(lib, "SSL_write_ex");
    int (*ssl_read_ex)(SSL *, void *, size_t, size_t *) = dlsym(lib, "SSL_read_ex");

    SSL conn = {.servername = "pin.example-sdk.com", .incoming = RESPONSE, .incoming_len = strlen(RESPONSE)};
    char copy[sizeof(REQUEST)];
    memcpy(copy, REQUEST, sizeof(REQUEST));
    int n = (int)strlen(REQUEST);

    int w1 = ssl_write(&conn, copy, 40);                      /* the first 40 bytes */
    conn.max_write = 10;
    int w2 = ssl_write(&conn, copy + 40, n - 40);             /* partial: only 10 taken */
    conn.max_write = 0;
    size_t written = 0;
    int w3 = ssl_write_ex(&conn, copy + 50, (size_t)(n - 50), &written);  /* the rest */
    conn.fail = 1;
    int w4 = ssl_write(&conn, copy, n);                       /* an error: nothing written */
    conn.fail = 0;

    char buf[64];
    memset(buf, 0, sizeof(buf));
    int r1 = ssl_read(&conn, buf, 17);
    size_t got = 0;
    int r2 = ssl_read_ex(&conn, buf + r1, sizeof(buf) - 1 - (size_t)r1, &got);
    int r3 = ssl_read(&conn, buf, 10);                        /* end of stream: 0 */

    printf("RESULT w1=%d w2=%d w3=%d written=%zu w4=%d r1=%d r2=%d got=%zu r3=%d\n", w1, w2, w3, written, w4, r1, r2, got, r3);
    printf("UNCHANGED %d\n", memcmp(copy, REQUEST, sizeof(REQUEST)) == 0);
    printf("SENT %d\n", conn.sent_len == (size_t)n && memcmp(conn.sent, REQUEST, (size_t)n) == 0);
    printf("READ %s\n", strncmp(buf, RESPONSE, strlen(RESPONSE)) == 0 ? "ok" : "bad");
    printf("DONE\n");
    fflush(stdout);
    exit(0);
}
