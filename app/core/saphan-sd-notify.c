/* saphan-sd-notify.c: the sd_notify protocol, without libsystemd.
 *
 * The protocol is one datagram per message on the AF_UNIX socket named in
 * $NOTIFY_SOCKET (a leading '@' names an abstract socket). Writing it here
 * avoids a dependency for twenty lines of code.
 */
#include "config.h"

#include "saphan-sd-notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

gboolean
saphan_sd_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  socklen_t len;
  gsize path_len;
  ssize_t sent;
  int fd;

  g_return_val_if_fail (state != NULL, FALSE);

  if (path == NULL || (path[0] != '/' && path[0] != '@'))
    return FALSE;
  path_len = strlen (path);
  if (path_len >= sizeof addr.sun_path)
    return FALSE;
  memcpy (addr.sun_path, path, path_len);
  if (addr.sun_path[0] == '@')
    addr.sun_path[0] = '\0';
  len = offsetof (struct sockaddr_un, sun_path) + path_len + (path[0] == '/' ? 1 : 0);

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  do
    sent = sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &addr, len);
  while (sent < 0 && errno == EINTR);
  close (fd);
  return sent == (ssize_t) strlen (state);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  saphan_sd_notify ("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint
saphan_sd_watchdog_start (void)
{
  const char *usec_text = g_getenv ("WATCHDOG_USEC");
  guint64 usec;
  guint id;

  /* WATCHDOG_PID is deliberately not checked: under cage the kiosk is the
   * compositor's child, WATCHDOG_PID names cage, and the unit sets
   * NotifyAccess=all so that the kiosk's own main loop is what is watched. */
  if (usec_text == NULL || !g_ascii_string_to_unsigned (usec_text, 10, 1, G_MAXUINT64, &usec, NULL))
    return 0;

  id = g_timeout_add (MAX (1, (guint) MIN (usec / 2000, G_MAXUINT)), watchdog_cb, NULL);
  g_source_set_name_by_id (id, "[saphan] systemd watchdog");
  saphan_sd_notify ("WATCHDOG=1");
  return id;
}
