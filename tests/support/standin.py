"""The stand-in app's build module, ``hooks/standin/build.py``, for the tests.

The stand-in is a fixture, not part of the installed package, so it is loaded by path
(the same loader the demo uses).
"""

from piaudit.scripts.demo import load_standin

standin = load_standin()

DEFAULT_VALUES = standin.DEFAULT_VALUES
LogLine = standin.LogLine
build_standin = standin.build_standin
make_truststore = standin.make_truststore
parse_log = standin.parse_log
parse_log_line = standin.parse_log_line
standin_command = standin.standin_command
PACKAGE = standin.PACKAGE
introspection_classpath = standin.introspection_classpath
