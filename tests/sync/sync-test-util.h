/* sync-test-util.h: the reference OpenRosa server and filled stores. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "saphan-store.h"

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *host;      /* "127.0.0.1" unless started in a namespace */
  guint16      port;
  char        *base_url;  /* http://host:port */
  char        *netns;     /* the network namespace it runs in, or NULL */
} TestServer;

/* Starts tests/openrosa-server/openrosa-server.py with EXTRA_ARGS (may be
 * NULL) on a free port; PREFIX_ARGV (may be NULL) is put in front of the
 * command, e.g. {"ip", "netns", "exec", "ns", NULL}. Forms "f1" and "f2"
 * are known to it, token "testtoken", project 1. */
TestServer *test_server_start  (const char *const *prefix_argv, const char *bind, const char *const *extra_args);
void        test_server_stop   (TestServer *server);
/* POSTs JSON to /control; aborts the test on failure. */
void        test_server_control (TestServer *server, const char *json);
/* GET /query as a JSON object (free with json_object_unref). */
JsonObject *test_server_query  (TestServer *server);
/* The number of distinct instances the server holds. */
guint       test_server_count_instances (TestServer *server);

/* A loopback port that refuses every connection for as long as the returned
 * socket is open: bound but never listening, so no other test's server can
 * be given it. */
GSocket *test_refusing_port (guint16 *out_port);

/* A fresh temporary data folder with an opened store. */
SaphanStore *test_store_new (char **out_dir);
/* Removes DIR recursively. */
void         test_remove_dir (const char *dir);

/* The submission XML used for instance N: stable for a given SEED so that a
 * test can seed the server with identical or different bytes. */
char *test_submission_xml (const char *form_id, guint n, const char *seed);
char *test_instance_id    (guint n, const char *seed);
/* Finalizes N submissions (numbered FIRST…) of FORM_ID with N_ATTACH
 * attachments of ATTACH_SIZE bytes each. */
void  test_fill (SaphanStore *store, const char *form_id, guint first, guint n, const char *seed,
                 guint n_attach, gsize attach_size);

/* Points STORE at the server's Central app-user URL with TOKEN and sets
 * quick back-off (base 0, cap 1 s) for tests. */
void  test_configure (SaphanStore *store, const char *base_url, const char *token);

/* Counts per state. */
gint64 test_count (SaphanStore *store, SaphanSubmissionState state);

/* Every submission in STORE is accepted and held by the server exactly
 * once, with the very bytes the store froze at finalize. */
void  test_assert_agree (SaphanStore *store, TestServer *server, guint expected);

/* Runs ARGV and fails the test unless it exits 0; returns its stdout. */
char *test_run_ok (const char *const *argv);

/* Two network namespaces joined by a veth pair on 10.200.0.0/30 (server
 * .1, client .2), shaped to 64 kbit/s each way with tc tbf, and nft
 * dropping LOSS_CLI % of the client's and LOSS_SRV % of the server's
 * packets. A guardian process deletes everything when the test process
 * exits, however it exits. NULL if the machine does not allow it. */
typedef struct
{
  char         ns_srv[32];
  char         ns_cli[32];
  char         veth_srv[16];
  char         veth_cli[16];
  GSubprocess *guardian;
} TestLink;

gboolean  test_link_possible (void);
TestLink *test_link_new      (int loss_cli, int loss_srv);
void      test_link_free     (TestLink *link);
/* Runs COMMAND (no shell); FALSE and a test message if it fails. */
gboolean  test_sh            (const char *command);

G_END_DECLS
