#ifndef LEADLINE_CMICROHTTPD_SHIM_H
#define LEADLINE_CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <microhttpd.h>

/* MHD_start_daemon is C-variadic, which Swift cannot call: take the options as an array instead. */
static inline struct MHD_Daemon *
leadline_mhd_start(unsigned int flags, uint16_t port,
                   MHD_AccessHandlerCallback handler, void *handler_cls,
                   struct MHD_OptionItem *options /* terminated by MHD_OPTION_END */)
{
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* The bound port (useful when started on port 0). */
static inline uint16_t
leadline_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* The epoll descriptor of a daemon started without a thread of its own (driven by the application's loop); -1 if none. */
static inline int
leadline_mhd_epoll_fd(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info ? info->epoll_fd : -1;
}

/* Milliseconds until such a daemon must run again (0: it has work now, such as data already read); -1: no limit. */
static inline int64_t
leadline_mhd_timeout_ms(struct MHD_Daemon *daemon)
{
    MHD_UNSIGNED_LONG_LONG timeout = 0;
    return MHD_get_timeout(daemon, &timeout) == MHD_YES ? (int64_t)timeout : -1;
}

/* The client's address as text ("127.0.0.1", "::1"), written into buf; returns 0 on success. */
static inline int
leadline_mhd_client_address(struct MHD_Connection *connection, char *buf, socklen_t len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return -1;
    const struct sockaddr *sa = info->client_addr;
    const void *src = NULL;
    if (sa->sa_family == AF_INET) src = &((const struct sockaddr_in *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6) src = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    else return -1;
    return inet_ntop(sa->sa_family, src, buf, len) ? 0 : -1;
}

#endif
