"""User-facing errors: one line, naming the file/operator/key and what to do."""


class MicroError(Exception):
    """
    An error the user can act on (bad model, unsupported operator, bad configuration).
    The command-line tools print `error: <message>` on one line and exit with status 1,
    never a traceback.
    """


class Unsupported(MicroError):
    """
    The model is well formed but uses something micro does not implement: an operator,
    an attribute value or an element type (`kind`). The message names the node.
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class NeedsConstantInput(MicroError):
    """
    An operand micro compiles into the code (a Reshape's shape, a Conv's weights) comes
    from graph inputs (`inputs`) instead of being constant.
    """

    def __init__(self, inputs: list[str], message: str):
        super().__init__(message)
        self.inputs = inputs
