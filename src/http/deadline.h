/*
 * deadline.h — a deadline for the whole request, not only for silence.
 *
 * libmicrohttpd's connection timeout is an idle timeout: every byte
 * resets it, so a client trickling one header byte every few seconds (or
 * a declared body) holds its connection for as long as it likes, and a
 * few hundred such connections keep everyone else waiting (slowloris).
 * Here each connection has a record; a request's head and body must have
 * arrived within `request_timeout` seconds of the connection's start, or
 * of its request line on a kept-alive connection, else a sweeper thread
 * shuts the socket down and libmicrohttpd closes the connection. While our
 * handler works or the answer goes out there is no deadline; between
 * requests the idle timeout governs, and a next request line that never
 * completes is cut request_timeout after the idle timeout would have.
 *
 * The fd in a record is only touched under the table's lock, and the
 * record leaves the table (opened/closed below, from libmicrohttpd's
 * connection notifications) before libmicrohttpd closes the fd, so a
 * reused fd number is never shut down by mistake.
 */
#ifndef VK_DEADLINE_H
#define VK_DEADLINE_H

typedef struct http_deadline http_deadline;

/* Start the sweeper (checks every second). NULL when request_timeout is 0
 * (no deadline) or resources are short; every function below accepts
 * NULL and does nothing. Caller frees with http_deadline_free() after the
 * daemon has stopped. */
http_deadline *http_deadline_new(unsigned request_timeout, unsigned idle_timeout);
void http_deadline_free(http_deadline *d);

/* A connection accepted with socket fd: its record goes into *slot
 * (libmicrohttpd's socket context). */
void http_deadline_opened(http_deadline *d, int fd, void **slot);
/* The connection is closing: the record leaves the table and is freed,
 * *slot becomes NULL. */
void http_deadline_closed(http_deadline *d, void **slot);
/* The request line of a next request on a kept-alive connection arrived:
 * its deadline starts now. */
void http_deadline_line(http_deadline *d, void *rec);
/* Head and body are in: our turn, no deadline. */
void http_deadline_busy(http_deadline *d, void *rec);
/* Answered: waiting for the next request on the connection. */
void http_deadline_idle(http_deadline *d, void *rec);

#endif
