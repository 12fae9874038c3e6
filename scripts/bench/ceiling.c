/* The ceiling for `make bench`: the least a FastCGI responder can do behind the same nginx —
 * accept, answer a fixed body the size of Coffer's health answer, finish. Coffer's figures are
 * reported as a share of what this does in the same run. With `plain-close`, it ends each
 * request as cofferd does (input read to its end, then close(2) without libfcgi's lingering
 * close), for comparison; the ceiling proper is libfcgi's default.
 *   cc -O2 -o ceiling ceiling.c -lfcgi -lpthread && ./ceiling SOCKET_PATH THREADS [plain-close] */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int listen_fd;
static int plain_close;
static const char body[] = "{\"status\":\"ok\",\"checks\":{\"database\":\"ok\"},\"version\":\"0.1.0\",\"uptime_seconds\":1}";

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_FPrintF(request.out, "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                                  "Content-Length: %d\r\n\r\n%s", (int)sizeof body - 1, body);
        if (plain_close) {
            char drain[4096];
            while (FCGX_GetStr(drain, sizeof drain, request.in) > 0) {}
            request.detached = 1;
        }
        FCGX_Finish_r(&request);
        request.detached = 0;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) { fprintf(stderr, "usage: ceiling SOCKET_PATH THREADS [plain-close]\n"); return 2; }
    plain_close = argc == 4 && strcmp(argv[3], "plain-close") == 0;
    FCGX_Init();
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(argv[1], 0666);
    int threads = atoi(argv[2]);
    pthread_t workers[256];
    if (threads < 1 || threads > 256) threads = 4;
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    return 0;
}
