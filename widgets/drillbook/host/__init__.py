"""A simulated Linux host: state from the scenario, output in the real tools' formats.

Nothing here runs a real command: the kernel (``kernel``) turns state changes into bonding
decisions and dmesg lines, the renderers (``render_net``, ``render_sys``) print the tools'
exact formats, and :class:`Shell` interprets what a learner types.
"""

from .model import HostState, parse_host
from .timeline import host_after, host_for, reveal, shell_for
from .shell import Shell, ShellResult

__all__ = ["HostState", "Shell", "ShellResult", "host_after", "host_for", "parse_host", "reveal", "shell_for"]
