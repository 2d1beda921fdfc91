/* The HTTP ceiling on this machine: libmicrohttpd answering a constant JSON body from C, with the server's threading
 * (epoll, a thread pool of one thread per core). Usage: mhd-ceiling PORT; runs until killed. */
#include <microhttpd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **state) {
    static int seen;
    if (*state == NULL) { *state = &seen; return MHD_YES; }  /* answer on the second call: keeps keep-alive */
    static const char body[] = "{\"status\":\"ok\"}";
    struct MHD_Response *response = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result queued = MHD_queue_response(connection, 200, response);
    MHD_destroy_response(response);
    return queued;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    unsigned int threads = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
    struct MHD_Daemon *daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]),
                                                 NULL, NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
                                                 MHD_OPTION_END);
    if (daemon == NULL) return 1;
    pause();
    return 0;
}
