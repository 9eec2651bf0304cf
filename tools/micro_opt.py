"""`micro-opt`: xdsl-opt with micro's dialects and passes (`micro-opt --help` lists them)."""

import sys
from collections.abc import Sequence

from xdsl.utils.exceptions import DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from micro.errors import MicroError
from micro.registry import get_dialects, get_passes


class MicroOptMain(xDSLOptMain):
    """Everything xDSL ships, plus micro's dialects and passes."""

    version_format = "micro-opt (xdsl {xdsl_version})"

    def __init__(self, args: Sequence[str] | None = None):
        super().__init__(description="micro modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        registered = set(self.ctx.registered_dialect_names)
        for name, factory in get_dialects().items():
            if name not in registered:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in get_passes().items():
            self.register_pass(name, factory)


def main() -> None:
    # xDSLOptMain lets parse/verify errors escape as tracebacks; print the diagnostic.
    try:
        MicroOptMain().run()
    except (ParseError, DiagnosticException) as e:
        print(e, file=sys.stderr)
        for note in getattr(e, "__notes__", ()):
            print(note, file=sys.stderr)
        sys.exit(1)
    except MicroError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
