"""User-facing errors: one line, naming the file/operator/key and what to do."""


class MicroError(Exception):
    """
    An error the user can act on (bad model, unsupported operator, bad configuration).
    The command-line tools print `error: <message>` on one line and exit with status 1,
    never a traceback.
    """
