"""The test harness itself: a suite that fails half-way leaves nothing running.

Suites start a Loket (nginx, worker pool, dispatcher, and with
LOKET_BACKEND=postgresql a PostgreSQL cluster) in setUpClass and stop it in
tearDownClass, which unittest skips when setUpClass fails.  Each case below
runs a small suite as its own `python3 -m unittest`, in a private TMPDIR,
and then looks for anything of it still alive or on disk.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))

FAILING_SETUP = '''
import unittest
from loket import Loket


class FailsAfterStarting(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=1)
        cls.loket.ctl("no-such-command")   # fails: tearDownClass never runs

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def test_never_runs(self):
        pass
'''

FAILING_START = '''
import socket
import unittest
import loket
from loket import Loket

busy = socket.socket()
busy.bind(("127.0.0.1", 0))
busy.listen()
ports = [busy.getsockname()[1]]
real_free_port = loket.free_port
# The instance's HTTP port is taken: nginx cannot start, after what comes before it
# (the PostgreSQL cluster, the worker pool, the dispatcher) has started.
loket.free_port = lambda: ports.pop() if ports else real_free_port()


class StartFails(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=1)

    def test_never_runs(self):
        pass
'''


class HarnessCleansUpTest(unittest.TestCase):
    def run_suite(self, source):
        """Runs `source` as a test module; returns (its result, its TMPDIR)."""
        tmp = tempfile.mkdtemp(prefix="loket-harness-")
        os.chmod(tmp, 0o755)   # the PostgreSQL cluster runs as another user when we are root
        self.addCleanup(shutil.rmtree, tmp, True)
        with open(os.path.join(tmp, "half_way.py"), "w") as f:
            f.write(textwrap.dedent(source))
        env = dict(os.environ, TMPDIR=tmp, PYTHONPATH=HERE + os.pathsep + tmp)
        env.pop("LOKET_KEEP", None)
        r = subprocess.run([sys.executable, "-m", "unittest", "half_way"], cwd=tmp, env=env,
                           capture_output=True, text=True, timeout=300)
        return r, tmp

    def assertNothingLeft(self, tmp):
        r = subprocess.run(["pgrep", "-a", "-f", tmp], capture_output=True, text=True)
        alive = [line for line in r.stdout.splitlines() if "pgrep" not in line]
        self.assertEqual(alive, [], "still running")
        self.assertEqual([n for n in os.listdir(tmp) if n.startswith("loket-e2e-")], [], "homes left behind")

    def test_a_setupclass_that_fails_after_starting_loket_stops_it(self):
        r, tmp = self.run_suite(FAILING_SETUP)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("loketctl no-such-command failed", r.stderr)
        self.assertNothingLeft(tmp)

    def test_an_instance_that_fails_to_start_stops_what_it_started(self):
        r, tmp = self.run_suite(FAILING_START)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CalledProcessError", r.stderr)   # scripts/run --detach failed
        self.assertNothingLeft(tmp)


if __name__ == "__main__":
    unittest.main()
