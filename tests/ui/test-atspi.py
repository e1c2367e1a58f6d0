#!/usr/bin/env python3
"""A screen reader can follow the citizen's way through the kiosk.

Orca knows nothing of GTK: it reads the AT-SPI accessibility bus, where every
application publishes a tree of accessible objects with a role, a name, a
set of states and interfaces such as Action and Text. This test reads the
same bus through pyatspi, as Orca does, while the real saphan-kiosk runs on
a fresh data folder under the test's X display:

- the kiosk registers on the bus and its start page appears;
- each of the five services is a button named with its Thai title, which a
  blind citizen can press through the Action interface;
- the language switch is a named group of two named buttons, and the
  current language is exposed as pressed;
- no button that is on screen is nameless (GTK 4.8 then reads out its type
  name, such as "GtkButton", which means nothing to a citizen);
- pressing a service tile through AT-SPI opens its first question, whose
  Thai text is exposed as a label and names the question's group, with
  named Next and Back buttons, and the keyboard focus moves into the form,
  with the event that makes a screen reader speak it;
- Orca itself, running beside the kiosk with its speech going to its debug
  log instead of a synthesizer, says the service's name, the focused button
  and the question when the form opens, and never a widget's type name.

Everything runs on buses of the test's own: a private session bus without
service activation, the AT-SPI bus started by at-spi-bus-launcher on it, and
the registry daemon that bus activates. Every process is stopped and the
temporary folder removed whatever happens.

Usage: test-atspi.py KIOSK_PATH [SCHEMAS_DIR]
"""
import ctypes
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import taplib  # noqa: E402

# Debian installs python3-pyatspi for its own interpreter only. When meson
# found another python3 first on the PATH (a pyenv one, say), the test runs
# itself again under Debian's, once, rather than skip on a machine that has
# the package.
SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_MARK = "SAPHAN_ATSPI_TEST_REEXEC"
KIOSK_G_DEBUG = "SAPHAN_ATSPI_TEST_KIOSK_G_DEBUG"

WAIT_SECONDS = 30
POLL_SECONDS = 0.1

# Orca writes every utterance to its debug log, whether or not a speech
# synthesizer is there to say it, followed by the voice it asked for:
#   SPEECH OUTPUT: 'Next push button.'{'established': False}
SPOKEN = re.compile(r"SPEECH OUTPUT: '(.*)'(\{.*\})?$")

# The service whose first question the test opens, and the languages as
# each names itself on the start page's switch.
OPENED_FORM = "complaint"
LANGUAGE_NAMES = ("ไทย", "English")
NEXT_NAMES = ("Next", "ถัดไป")
BACK_NAMES = ("Back", "ย้อนกลับ")

XFORMS = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"

# GTK 4.8 publishes a widget's type name ("GtkButton", "GtkToggleButton",
# "SaphanFormTile") as the accessible name when the widget has none, so an
# unnamed button does not look empty on the bus; Orca would read that type
# name aloud. Such a name counts as missing.
TYPE_NAME = re.compile(r"^(Gtk|Saphan)[A-Z][A-Za-z]*$")


def pyatspi_available():
    """Tells whether pyatspi can be imported, without importing it.

    Importing is harmless, but the first call into libatspi connects to
    the accessibility bus of whatever session is around, so the test only
    imports pyatspi once its own buses are up.
    """
    if importlib.util.find_spec("pyatspi") is None:
        return False
    try:
        import gi

        gi.require_version("Atspi", "2.0")
    except (ImportError, ValueError):
        return False
    return True


def reexec_under_system_python():
    if os.environ.get(REEXEC_MARK) or not os.access(SYSTEM_PYTHON, os.X_OK):
        return
    if os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON):
        return
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import importlib.util, sys; "
         "sys.exit(importlib.util.find_spec('pyatspi') is None)"],
        check=False,
    )
    if probe.returncode == 0:
        os.environ[REEXEC_MARK] = "1"
        sys.stdout.flush()
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])


def assets_dir():
    return os.environ.get("SAPHAN_ASSETS_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets")


def service_titles():
    """The Thai part of every demo service's title, as the tiles show it.

    The titles are written "ไทย · English"; the start page shows the Thai
    part while the kiosk speaks Thai, which it does on a fresh data folder.
    """
    forms_dir = os.path.join(assets_dir(), "forms")
    titles = {}
    for name in sorted(os.listdir(forms_dir)):
        if not name.endswith(".xml"):
            continue
        title = ET.parse(os.path.join(forms_dir, name)).getroot().find(
            f"{XHTML}head/{XHTML}title").text
        titles[name[:-len(".xml")]] = title.split(" · ")[0].strip()
    return titles


def first_question_text(form_id):
    """The Thai label of the form's first question, read from its XForm."""
    root = ET.parse(os.path.join(assets_dir(), "forms", form_id + ".xml")).getroot()
    body = root.find(f"{XHTML}body")
    label_ref = next(iter(body)).find(f"{XFORMS}label").get("ref")
    text_id = re.fullmatch(r"jr:itext\('(.*)'\)", label_ref).group(1)
    for translation in root.iter(f"{XFORMS}translation"):
        if "(th)" not in translation.get("lang", ""):
            continue
        for text in translation.iter(f"{XFORMS}text"):
            if text.get("id") == text_id:
                for value in text.iter(f"{XFORMS}value"):
                    if value.get("form") is None:
                        return value.text.strip()
    raise AssertionError(f"{form_id}.xml has no Thai text for {text_id}")


# A session bus that activates nothing: every process on it is one the test
# started itself, so stopping the test's process groups stops them all, and
# no portal or settings daemon of the machine is woken up.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Processes:
    """The processes the test started, each leading its own process group.

    The AT-SPI bus launcher starts the accessibility bus, which activates
    the registry daemon; they stay in the launcher's group, so signalling
    the group reaches the processes the test did not start by hand.
    """

    def __init__(self):
        self.started = []

    @staticmethod
    def _die_with_test():
        # Leading its own group takes a process out of the group meson
        # kills on a timeout, and a test killed outright runs no cleanup;
        # the kernel then stops the process when the test dies.
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def start(self, argv, **kwargs):
        process = subprocess.Popen(argv, start_new_session=True,
                                   preexec_fn=self._die_with_test, **kwargs)
        self.started.append(process)
        return process

    @staticmethod
    def _group_alive(pgid):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def stop_all(self):
        # The kiosk goes first, then the AT-SPI bus, then the session bus
        # that the others use to say goodbye.
        for process in reversed(self.started):
            pgid = process.pid
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and self._group_alive(pgid):
                process.poll()
                time.sleep(0.05)
            if self._group_alive(pgid):
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.started = []


class XConnection:
    """A connection to the X server held for the whole test.

    xvfb-run starts Xvfb without -noreset, so the server resets whenever its
    last client leaves. at-spi-bus-launcher and libatspi each open the
    display only to set or read the root window's AT_SPI_BUS property and
    close it again; a kiosk that connects during the reset that follows
    fails with "cannot open display". Holding one connection open keeps the
    server from resetting.
    """

    def __init__(self):
        self.display = None
        try:
            self.xlib = ctypes.CDLL("libX11.so.6")
        except OSError:
            return
        self.xlib.XOpenDisplay.restype = ctypes.c_void_p
        self.xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.display = self.xlib.XOpenDisplay(None)
        if not self.display:
            raise AssertionError(f"cannot open the X display {os.environ.get('DISPLAY')!r}")

    def close(self):
        if self.display:
            self.xlib.XCloseDisplay(self.display)
            self.display = None


class Kiosk:
    """What the checks share: the buses, the kiosk and what was found."""

    def __init__(self, kiosk_path, schemas_dir):
        self.kiosk_path = kiosk_path
        self.schemas_dir = schemas_dir
        self.tmp = tempfile.mkdtemp(prefix="saphan-atspi-")
        self.log_path = os.path.join(self.tmp, "kiosk.log")
        self.processes = Processes()
        self.x_connection = None
        self.kiosk = None
        self.app = None
        self.titles = service_titles()
        self.question = first_question_text(OPENED_FORM)
        self.tile_container = None
        self.tiles = []
        self.tile_by_form = {}
        self.flow_scope = None
        self.focus_events = []
        self.failed_steps = set()
        self.orca = None
        self.orca_debug = os.path.join(self.tmp, "orca-debug.out")
        self.orca_output = os.path.join(self.tmp, "orca.log")
        self.spoken_before_press = 0

    # -- Setting up ---------------------------------------------------------

    def hold_display(self):
        self.x_connection = XConnection()

    def start_session_bus(self):
        config = os.path.join(self.tmp, "session.conf")
        with open(config, "w", encoding="utf-8") as out:
            out.write(BUS_CONFIG.format(dir=self.tmp))
        bus = self.processes.start(
            ["dbus-daemon", "--config-file", config, "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        address = bus.stdout.readline().strip()
        bus.stdout.close()
        if not address:
            raise AssertionError("dbus-daemon printed no address")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address

    def start_accessibility_bus(self):
        from gi.repository import Gio, GLib

        # The launcher puts the AT-SPI bus's socket in the runtime folder;
        # this one goes with the test's temporary folder.
        runtime_dir = os.path.join(self.tmp, "runtime")
        os.mkdir(runtime_dir, 0o700)
        self.processes.start(
            ["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
            env=dict(os.environ, XDG_RUNTIME_DIR=runtime_dir),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        connection = Gio.DBusConnection.new_for_address_sync(
            os.environ["DBUS_SESSION_BUS_ADDRESS"],
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        # The launcher owns org.a11y.Bus once the accessibility bus runs;
        # asking it for the bus's address is how the toolkits find it too.
        deadline = time.monotonic() + WAIT_SECONDS
        try:
            while True:
                try:
                    reply = connection.call_sync(
                        "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress",
                        None, GLib.VariantType.new("(s)"), Gio.DBusCallFlags.NONE, 2000, None)
                    if reply.unpack()[0]:
                        return
                except GLib.Error:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("at-spi-bus-launcher never offered the AT-SPI bus")
                time.sleep(POLL_SECONDS)
        finally:
            connection.close_sync(None)

    def start_kiosk(self):
        env = dict(os.environ)
        # The project's test environment turns the bridge off for the other
        # UI tests; this one is about the bridge.
        env.pop("NO_AT_BRIDGE", None)
        env.pop("GTK_A11Y", None)
        env.pop(REEXEC_MARK, None)
        kiosk_g_debug = env.pop(KIOSK_G_DEBUG, None)
        if kiosk_g_debug is not None:
            env["G_DEBUG"] = kiosk_g_debug
        env["GSETTINGS_BACKEND"] = "memory"
        env["G_MESSAGES_DEBUG"] = "saphan-ui"
        if self.schemas_dir:
            env["GSETTINGS_SCHEMA_DIR"] = self.schemas_dir
        data_dir = os.path.join(self.tmp, "data")
        os.mkdir(data_dir)
        with open(self.log_path, "wb") as log:
            self.kiosk = self.processes.start(
                [self.kiosk_path, "--data-dir", data_dir],
                env=env, stdout=log, stderr=subprocess.STDOUT)

    def start_orca(self, orca_path):
        home = os.path.join(self.tmp, "orca-home")
        prefs = os.path.join(home, "prefs")
        os.makedirs(prefs)
        env = dict(os.environ, HOME=home,
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_CACHE_HOME=os.path.join(home, "cache"))
        env.pop(REEXEC_MARK, None)
        env.pop(KIOSK_G_DEBUG, None)
        # No synthesizer: what Orca would say still goes to its debug log,
        # and no speech server is spawned outside the test's process groups.
        # Braille stays on (there is no display to drive): Orca 43 with
        # braille off as well presented no focus change at all here.
        with open(self.orca_output, "wb") as log:
            self.orca = self.processes.start(
                [orca_path, "--replace", "--user-prefs", prefs,
                 "--disable", "speech", "--debug-file", self.orca_debug],
                env=env, stdout=log, stderr=subprocess.STDOUT)

    def spoken(self):
        """Everything Orca has said so far, one utterance an item."""
        try:
            with open(self.orca_debug, encoding="utf-8", errors="replace") as log:
                return [match.group(1) for match in map(SPOKEN.search, log) if match]
        except FileNotFoundError:
            return []

    def kiosk_log(self):
        return log_tail(self.log_path)

    def close(self):
        try:
            self.processes.stop_all()
        finally:
            if self.x_connection is not None:
                self.x_connection.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- Reading the bus ----------------------------------------------------

    @staticmethod
    def pump():
        """Lets libatspi handle what the bus sent: events and cache updates."""
        from gi.repository import GLib

        context = GLib.MainContext.default()
        while context.iteration(False):
            pass

    def wait_for(self, what, find):
        """Calls FIND until it returns something, for WAIT_SECONDS at most."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            self.pump()
            found = find()
            if found:
                return found
            if self.kiosk is not None and self.kiosk.poll() is not None:
                raise AssertionError(
                    f"saphan-kiosk exited ({self.kiosk.returncode}) while waiting for "
                    f"{what}; it printed:\n{self.kiosk_log()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {what} within {WAIT_SECONDS} s; the kiosk printed:\n"
                    f"{self.kiosk_log()}")
            time.sleep(POLL_SECONDS)

    def find_app(self):
        import pyatspi

        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            try:
                if app is not None and app.get_process_id() == self.kiosk.pid:
                    return app
            except Exception:  # noqa: BLE001 - an application that just left
                continue
        return None


def log_tail(path):
    """The end of a process's output, for a failure's message."""
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return log.read()[-4000:]
    except OSError:
        return ""


def walk(accessible):
    """Every object under ACCESSIBLE, itself included, depth first."""
    stack = [accessible]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        yield current
        try:
            count = current.childCount
        except Exception:  # noqa: BLE001 - an object that went away
            continue
        for index in reversed(range(count)):
            stack.append(current.getChildAtIndex(index))


def has_state(accessible, state):
    return accessible.getState().contains(state)


def is_showing(accessible):
    """Tells whether ACCESSIBLE is on screen, as far as AT-SPI can tell.

    GTK 4.8 sets "showing" on the window only, never on a widget, so a
    screen reader cannot ask for it; and it publishes every page of every
    GtkStack, shown or not. A page that was never shown has no size, so
    where "showing" is missing the object's extents stand in for it. A page
    that was shown and then replaced keeps its old extents, which is why the
    checks after the start page look only inside the form flow.
    """
    import pyatspi

    if has_state(accessible, pyatspi.STATE_SHOWING):
        return True
    try:
        extents = accessible.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return False
    return extents.width > 0 and extents.height > 0


def is_real_name(name):
    return bool(name and name.strip()) and not TYPE_NAME.match(name.strip())


def is_button(accessible):
    import pyatspi

    return accessible.getRole() in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON)


def describe(accessible):
    return f"[{accessible.getRoleName()}] {accessible.name!r}"


def showing_buttons(scope):
    return [acc for acc in walk(scope) if is_button(acc) and is_showing(acc)]


def text_of(accessible):
    """The whole text of ACCESSIBLE through the Text interface.

    AT-SPI lets a reader ask for "up to the end" with -1, but GTK 4.8's
    labels answer that with an empty string, so the test asks for the
    character count it reports instead.
    """
    try:
        text = accessible.queryText()
    except NotImplementedError:
        return None
    return text.getText(0, text.characterCount)


def contains(scope, accessible):
    return any(candidate == accessible for candidate in walk(scope))


STATE = {}


def kiosk():
    return STATE["kiosk"]


def requires(*steps):
    missing = [step for step in steps if step in kiosk().failed_steps]
    if missing:
        raise AssertionError(f"cannot check: {', '.join(missing)} failed")


def step(name):
    """Marks a check whose failure makes the checks after it pointless."""

    def decorate(check):
        def run():
            try:
                check()
            except BaseException:
                kiosk().failed_steps.add(name)
                raise

        run.__name__ = check.__name__
        return run

    return decorate


# -- The checks, in the order a citizen meets the screens --------------------


@step("start page")
def kiosk_registers_and_shows_start_page():
    import pyatspi

    k = kiosk()
    k.hold_display()
    k.start_session_bus()
    k.start_accessibility_bus()
    k.start_kiosk()
    k.app = k.wait_for("saphan-kiosk on the AT-SPI registry's desktop", k.find_app)
    assert is_real_name(k.app.name), f"the application registered as {k.app.name!r}"

    # The start page is there once its services are: a showing list or
    # table holding one button per service. Their names are the next
    # check's business, so that a nameless tile is reported as such.
    def tile_container():
        for acc in walk(k.app):
            if acc.getRole() not in (pyatspi.ROLE_TABLE, pyatspi.ROLE_LIST,
                                     pyatspi.ROLE_LIST_BOX) or not is_showing(acc):
                continue
            buttons = showing_buttons(acc)
            if len(buttons) == len(k.titles):
                return acc, buttons
        return None

    k.tile_container, k.tiles = k.wait_for("start page with every service tile",
                                           tile_container)
    print(f"# application {k.app.name!r} (pid {k.kiosk.pid})")

    windows = [acc for acc in walk(k.app) if acc.getRole() == pyatspi.ROLE_FRAME]
    assert windows, "the kiosk publishes no window"
    for window in windows:
        assert is_real_name(window.name), f"the window is called {window.name!r}"


@step("service tiles")
def service_tiles_are_named_buttons():
    requires("start page")
    import pyatspi

    k = kiosk()
    assert len(k.titles) == 5, f"expected the five demo services, found {sorted(k.titles)}"
    # Orca names the table when the focus enters it: "Services, table".
    assert is_real_name(k.tile_container.name), \
        f"the services are in {describe(k.tile_container)}"
    by_name = {tile.name: tile for tile in k.tiles}
    missing = {form_id: title for form_id, title in k.titles.items() if title not in by_name}
    assert not missing, (f"no tile named after {missing}; the tiles are "
                         f"{[describe(tile) for tile in k.tiles]}")
    for form_id, title in sorted(k.titles.items()):
        tile = by_name[title]
        assert tile.getRole() == pyatspi.ROLE_PUSH_BUTTON, f"{form_id}: {describe(tile)}"
        assert has_state(tile, pyatspi.STATE_SENSITIVE), f"{form_id}'s tile is disabled"
        assert has_state(tile, pyatspi.STATE_FOCUSABLE), f"{form_id}'s tile cannot take focus"
        action = tile.queryAction()
        assert action.nActions >= 1, f"{form_id}'s tile offers no action"
        print(f"# {form_id}: {describe(tile)} action {action.getName(0)!r}")
    k.tile_by_form = {form_id: by_name[title] for form_id, title in k.titles.items()}


def language_switch_is_named():
    requires("start page")
    import pyatspi

    k = kiosk()
    switches = []
    for acc in walk(k.app):
        if not is_showing(acc) or is_button(acc):
            continue
        children = [acc.getChildAtIndex(i) for i in range(acc.childCount)]
        names = sorted(child.name for child in children if child is not None and is_button(child))
        if names == sorted(LANGUAGE_NAMES):
            switches.append((acc, children))
    assert len(switches) == 1, f"expected one language switch, found {len(switches)}"
    switch, buttons = switches[0]
    assert is_real_name(switch.name), f"the language switch is called {switch.name!r}"
    pressed = [button.name for button in buttons
               if button is not None and has_state(button, pyatspi.STATE_PRESSED)]
    # A fresh kiosk speaks Thai, and the screen reader must be able to say so.
    assert pressed == ["ไทย"], f"pressed language buttons: {pressed}"
    print(f"# language switch {describe(switch)} with {[b.name for b in buttons]}")


def start_page_buttons_are_all_named():
    requires("start page")
    k = kiosk()
    buttons = showing_buttons(k.app)
    assert buttons, "no button is showing"
    nameless = [describe(button) for button in buttons if not is_real_name(button.name)]
    assert not nameless, f"buttons without a name: {nameless}"
    print(f"# {len(buttons)} buttons on screen, all named")


@step("screen reader")
def screen_reader_finds_the_kiosk():
    requires("start page")
    import pyatspi

    k = kiosk()
    orca_path = shutil.which("orca")
    if orca_path is None:
        raise taplib.Skip("Orca (package orca) is not installed")
    window = next(acc for acc in walk(k.app) if acc.getRole() == pyatspi.ROLE_FRAME)
    k.start_orca(orca_path)

    # Orca presents the active window as it starts: it has found the kiosk.
    def window_announced():
        if k.orca.poll() is not None:
            raise AssertionError(f"Orca exited ({k.orca.returncode})")
        return any(text.startswith(window.name) for text in k.spoken())

    try:
        k.wait_for(f"Orca announcing the window {window.name!r}", window_announced)
    except AssertionError as error:
        raise AssertionError(f"{error}\nOrca printed:\n{log_tail(k.orca_output)}\n"
                             f"and said {k.spoken()!r}") from None
    k.spoken_before_press = len(k.spoken())
    print(f"# Orca said {k.spoken()!r}")


@step("question screen")
def tile_opens_first_question_through_action():
    requires("service tiles")
    import pyatspi

    k = kiosk()

    # Orca speaks when it hears that the focus moved; listen as it does.
    def on_focus(event):
        if event.detail1:
            k.focus_events.append(event.source)

    pyatspi.Registry.registerEventListener(on_focus, "object:state-changed:focused")
    STATE["focus listener"] = on_focus

    tile = k.tile_by_form[OPENED_FORM]
    assert tile.queryAction().doAction(0), "the tile refused its action"

    def question_label():
        for acc in walk(k.app):
            if (acc.getRole() in (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING)
                    and text_of(acc) == k.question and is_showing(acc)):
                return acc
        return None

    label = k.wait_for(f"label {k.question!r} after pressing the tile", question_label)

    # The form flow is the smallest part of the tree that holds both the
    # question and the header naming the service; the start page, which
    # GTK 4.8 still publishes with its old extents, stays outside it.
    title = k.titles[OPENED_FORM]

    def holds_title(scope):
        return any(acc.getRole() in (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING)
                   and text_of(acc) == title for acc in walk(scope))

    scope = label.parent
    while scope is not None and not holds_title(scope):
        scope = scope.parent
    assert scope is not None, f"no header with {title!r} around the question"
    k.flow_scope = scope
    k.question_label = label


def question_text_is_exposed():
    requires("question screen")
    import pyatspi

    k = kiosk()
    label = k.question_label
    assert label.getRole() in (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING), describe(label)
    assert label.name == k.question, f"the question label is called {label.name!r}"
    # Orca announces the name of the group the focus enters; the question's
    # group carries the question, so its choices are read in context.
    group = label.parent
    while group is not None and group.name != k.question:
        group = group.parent
    assert group is not None and contains(k.flow_scope, group), \
        f"no group named {k.question!r} around the question"
    print(f"# question {describe(label)} in {describe(group)}")


def next_and_back_are_named():
    requires("question screen")
    import pyatspi

    k = kiosk()
    buttons = showing_buttons(k.flow_scope)
    found = {}
    for names in (NEXT_NAMES, BACK_NAMES):
        matches = [button for button in buttons if button.name in names]
        assert len(matches) == 1, (f"expected one button named {names}, found {len(matches)} "
                                   f"among {[describe(button) for button in buttons]}")
        found[names[0]] = matches[0]
    assert has_state(found["Next"], pyatspi.STATE_SENSITIVE), "Next is disabled"
    # There is nothing to go back to from the first question, and the screen
    # reader says so ("dimmed") rather than offer a button that does nothing.
    assert not has_state(found["Back"], pyatspi.STATE_SENSITIVE), "Back is enabled"
    print(f"# {describe(found['Next'])} and {describe(found['Back'])}")


def question_screen_buttons_are_all_named():
    requires("question screen")
    k = kiosk()
    buttons = showing_buttons(k.flow_scope)
    nameless = [describe(button) for button in buttons if not is_real_name(button.name)]
    assert not nameless, f"buttons without a name: {nameless}"
    print(f"# {len(buttons)} buttons on the question screen, all named")
    # A decoration, such as the mark of a choice, is presentation only; an
    # image on the bus is announced, by its type name when it has no other.
    import pyatspi

    images = [acc for acc in walk(k.flow_scope)
              if acc.getRole() == pyatspi.ROLE_IMAGE and is_showing(acc)]
    meaningless = [describe(image) for image in images if not is_real_name(image.name)]
    assert not meaningless, f"images a reader would announce by type name: {meaningless}"


def focus_moves_into_question_screen():
    requires("question screen")
    import pyatspi

    k = kiosk()

    def focused_in_flow():
        return [acc for acc in walk(k.flow_scope)
                if has_state(acc, pyatspi.STATE_FOCUSED) and is_showing(acc)]

    focused = k.wait_for("focused object on the question screen", focused_in_flow)
    assert len(focused) == 1, f"several objects focused: {[describe(a) for a in focused]}"
    assert is_real_name(focused[0].name), f"the focus is on {describe(focused[0])}"
    # On a question that is not typed the focus rests on Next, and Orca
    # announces Next: its description carries the question.
    if focused[0].name in NEXT_NAMES:
        assert focused[0].description == k.question, \
            f"Next is described as {focused[0].description!r}, not by the question"
    # The state alone is silent: Orca speaks on the focus event.
    k.wait_for("focus event for the focused object",
               lambda: any(source == focused[0] for source in k.focus_events))
    print(f"# focus on {describe(focused[0])}")


def screen_reader_speaks_question_screen():
    requires("question screen", "screen reader")
    k = kiosk()
    if k.orca is None:
        raise taplib.Skip("Orca (package orca) is not installed")
    title = k.titles[OPENED_FORM]

    def said_all():
        said = k.spoken()[k.spoken_before_press:]
        joined = " ".join(said)
        return said if title in joined and k.question in joined else None

    try:
        said = k.wait_for(f"Orca saying {title!r} and {k.question!r}", said_all)
    except AssertionError as error:
        raise AssertionError(f"{error}\nOrca said "
                             f"{k.spoken()[k.spoken_before_press:]!r}") from None
    print(f"# Orca said {said!r}")
    # GTK 4.8 names an unnamed container after its type, and Orca reads
    # such a name out ("GtkStackPage panel") as it enters the container.
    type_names = [text for text in said
                  if any(TYPE_NAME.match(word) for word in re.findall(r"\w+", text))]
    assert not type_names, f"Orca read type names aloud: {type_names}"
    assert any(name in text for text in said for name in NEXT_NAMES), \
        "Orca did not say where the focus is (Next)"


CHECKS = [
    kiosk_registers_and_shows_start_page,
    service_tiles_are_named_buttons,
    language_switch_is_named,
    start_page_buttons_are_all_named,
    screen_reader_finds_the_kiosk,
    tile_opens_first_question_through_action,
    question_text_is_exposed,
    next_and_back_are_named,
    question_screen_buttons_are_all_named,
    focus_moves_into_question_screen,
    screen_reader_speaks_question_screen,
]


def main():
    # The project's test environment makes every GLib warning fatal, which
    # suits the kiosk; but libatspi, like Orca, logs and carries on when an
    # application answers before its objects are ready ("Error in GetItems"),
    # and the test polls past that. GLib reads G_DEBUG once, when gi loads
    # it, so it is dropped for this process before anything imports gi; the
    # kiosk still gets it.
    kiosk_g_debug = os.environ.pop("G_DEBUG", None)
    if kiosk_g_debug is not None:
        os.environ[KIOSK_G_DEBUG] = kiosk_g_debug
    if not pyatspi_available():
        reexec_under_system_python()
        print("1..0 # SKIP pyatspi (python3-pyatspi) is not installed")
        return 0
    if len(sys.argv) < 2:
        print("usage: test-atspi.py KIOSK_PATH [SCHEMAS_DIR]", file=sys.stderr)
        return 2

    # meson stops a test that runs out of time with SIGTERM; leaving through
    # an exception runs the cleanup below, as a failure does.
    def stop_on_signal(number, _frame):
        raise SystemExit(f"stopped by signal {number}")

    signal.signal(signal.SIGTERM, stop_on_signal)
    STATE["kiosk"] = Kiosk(os.path.abspath(sys.argv[1]),
                           sys.argv[2] if len(sys.argv) > 2 else None)
    try:
        return taplib.run(CHECKS)
    finally:
        try:
            if "focus listener" in STATE:
                import pyatspi

                pyatspi.Registry.deregisterEventListener(
                    STATE["focus listener"], "object:state-changed:focused")
        finally:
            STATE["kiosk"].close()


if __name__ == "__main__":
    sys.exit(main())
