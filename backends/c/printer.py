"""
The C printer: turns a module of `c` dialect ops into C source text.

It makes no decisions (those belong to `convert-kernel-to-c`): one method per op, an
unknown op is an error, one function maps types, expression ops are printed inline at
their uses, and output is buffered so that nothing is written unless the whole file
printed. Imitates MLIR's TranslateToCpp and xDSL's BasePrinter-based printers.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import singledispatchmethod
from importlib.resources import files
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    SymbolRefAttr,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.utils.base_printer import BasePrinter

from micro.dialects import c


class CEmitError(Exception):
    """The module holds something the printer cannot spell in C."""


# ----------------------------------------------------------------------------------------
# Types
# ----------------------------------------------------------------------------------------


def c_type(type_: Attribute) -> str:
    """The C spelling of a (non-array) type."""
    if isinstance(type_, c.PtrType):
        const = "const " if type_.is_const.data else ""
        return f"{const}{c_type(type_.pointee)} *"
    if isinstance(type_, c.OpaqueType):
        return type_.spelling.data
    if isinstance(type_, Float32Type):
        return "float"
    if isinstance(type_, Float64Type):
        return "double"
    if isinstance(type_, IndexType):
        return "size_t"
    if isinstance(type_, IntegerType):
        width = type_.width.data
        if width == 1:
            return "bool"
        if width not in (8, 16, 32, 64):
            raise CEmitError(f"no C type for {type_}")
        unsigned = type_.signedness.data == Signedness.UNSIGNED
        return f"{'u' if unsigned else ''}int{width}_t"
    raise CEmitError(f"no C type for {type_}")


def c_declaration(type_: Attribute, name: str) -> str:
    """`float x`, `float *p`, `float a[4]`: a declarator for `name` of `type_`."""
    if isinstance(type_, c.ArrayType):
        return f"{c_type(type_.element_type)} {name}[{type_.size.data}]"
    spelled = c_type(type_)
    return f"{spelled}{name}" if spelled.endswith("*") else f"{spelled} {name}"


# ----------------------------------------------------------------------------------------
# Literals
# ----------------------------------------------------------------------------------------


def c_float(value: float) -> str:
    """A float32 literal that reads back as exactly the same float."""
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INFINITY" if value > 0 else "-INFINITY"
    text = np.format_float_scientific(np.float32(value), unique=True, trim="-")
    mantissa, exponent = text.split("e")
    exp = int(exponent)
    if -4 <= exp <= 6:
        text = np.format_float_positional(np.float32(value), unique=True, trim="0")
        if text.endswith("."):
            text += "0"
        return text + "f"
    return f"{mantissa}e{exp}f" if "." in mantissa else f"{mantissa}.0e{exp}f"


def c_string(value: str) -> str:
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif 32 <= code < 127:
            out.append(ch)
        else:
            out.extend(f"\\{b:03o}" for b in ch.encode())
    out.append('"')
    return "".join(out)


def dense_values(attr: DenseIntOrFPElementsAttr) -> list[str]:
    """The elements of a dense attribute as C literals, in row-major order."""
    elem = attr.get_element_type()
    data = attr.data.data
    if isinstance(elem, Float32Type):
        return [c_float(float(v)) for v in np.frombuffer(data, dtype=np.float32)]
    if isinstance(elem, IntegerType):
        width = elem.width.data
        unsigned = elem.signedness.data == Signedness.UNSIGNED
        dtype = np.dtype(f"{'u' if unsigned else 'i'}{max(width, 8) // 8}")
        return [str(int(v)) for v in np.frombuffer(data, dtype=dtype)]
    raise CEmitError(f"cannot print dense elements of type {elem}")


def wrap_list(items: list[str], indent: str, width: int = 100) -> str:
    """Comma-separated items, filled into lines of at most `width` columns."""
    lines: list[str] = []
    line = indent
    for item in items:
        piece = item + ","
        if len(line) + len(piece) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += piece + " "
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def _byte_rows(attr: DenseIntOrFPElementsAttr, indent: str, width: int) -> str:
    """
    An initializer for 8-bit elements (weights compiled into flash can be megabytes):
    a fixed number of values per row, formatted by numpy rather than one by one.
    """
    elem = attr.get_element_type()
    assert isinstance(elem, IntegerType)
    unsigned = elem.signedness.data == Signedness.UNSIGNED
    values = np.frombuffer(attr.data.data, dtype=np.uint8 if unsigned else np.int8)
    per_row = max(1, (width - len(indent)) // 5)  # "-128," is the widest item
    text = np.char.add(values.astype(str), ",")
    rows = [indent + " ".join(text[i : i + per_row].tolist()) for i in range(0, len(text), per_row)]
    return "{\n" + "\n".join(rows) + "\n" + indent[:-2] + "}"


def initializer(attr: Attribute, indent: str = "", used: int = 0, width: int = 100) -> str:
    """
    A C initializer for `attr`; `used` columns of the line are already taken, so a
    value that does not fit in `width` is broken over lines, indented from `indent`.
    """
    if isinstance(attr, DenseIntOrFPElementsAttr):
        elem = attr.get_element_type()
        if isinstance(elem, IntegerType) and elem.width.data == 8:
            return _byte_rows(attr, indent + "  ", width)
        return "{\n" + wrap_list(dense_values(attr), indent + "  ", width) + "\n" + indent + "}"
    if isinstance(attr, c.StructInitAttr):
        items = [
            f".{key} = {initializer(value, indent + '  ', len(indent) + len(key) + 5, width)}"
            for key, value in attr.items()
        ]
        flat = "{" + ", ".join(items) + "}"
        if used + len(flat) + 1 <= width and "\n" not in flat:
            return flat
        return "{\n" + wrap_list(items, indent + "  ", width) + "\n" + indent + "}"
    if isinstance(attr, ArrayAttr):
        items = [initializer(v, indent + "  ", len(indent) + 2, width) for v in attr.data]
        flat = "{" + ", ".join(items) + "}"
        if used + len(flat) + 1 <= width and "\n" not in flat:
            return flat
        if any(isinstance(v, c.StructInitAttr | ArrayAttr) for v in attr.data):
            inner = ",\n".join(indent + "  " + item for item in items)
            return "{\n" + inner + ",\n" + indent + "}"
        return "{\n" + wrap_list(items, indent + "  ", width) + "\n" + indent + "}"
    if isinstance(attr, IntegerAttr):
        return str(attr.value.data)
    if isinstance(attr, FloatAttr):
        return c_float(attr.value.data)
    if isinstance(attr, StringAttr):
        return c_string(attr.data)
    if isinstance(attr, SymbolRefAttr):
        return attr.root_reference.data
    if isinstance(attr, c.ExprAttr):
        return attr.spelling.data
    raise CEmitError(f"cannot print {attr} as a C initializer")


# ----------------------------------------------------------------------------------------
# The printer
# ----------------------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class CEmitter(BasePrinter):
    """Prints one `c.file` as C text."""

    _exprs: dict[SSAValue, str] = field(default_factory=dict[SSAValue, str], init=False)
    _started: bool = field(default=False, init=False)

    def expr(self, value: SSAValue) -> str:
        if value not in self._exprs:
            raise CEmitError(f"value {value.name_hint or value} has no C expression")
        return self._exprs[value]

    def line(self, text: str) -> None:
        """One line of output, indented to the current depth."""
        if self._started:
            self.print_string("\n")
        self._started = True
        self.print_string(text)

    def blank_line(self) -> None:
        if self._started:
            self.print_string("\n", indent=0)

    def finish(self) -> None:
        self.print_string("\n", indent=0)

    @singledispatchmethod
    def print_op(self, op: Operation) -> None:
        raise CEmitError(f"emit-c: no C spelling for operation '{op.name}'")

    @print_op.register
    def _(self, op: c.FileOp) -> None:
        ops = list(op.body.block.ops)
        guard = op.guard.data if op.guard is not None else None
        if guard is None:
            self.print_file_body(ops)
            return
        self.line(f"#ifndef {guard}")
        self.line(f"#define {guard}")
        leading = 0
        while leading < len(ops) and isinstance(ops[leading], c.CommentOp | c.IncludeOp):
            self.print_op(ops[leading])
            leading += 1
        self.blank_line()
        self.line("#ifdef __cplusplus")
        self.line('extern "C" {')
        self.line("#endif")
        self.print_file_body(ops[leading:])
        self.blank_line()
        self.line("#ifdef __cplusplus")
        self.line("}")
        self.line("#endif")
        self.line(f"#endif /* {guard} */")

    def print_file_body(self, ops: list[Operation]) -> None:
        """File-level ops; a blank line separates groups (before comments and functions)."""
        previous: Operation | None = None
        for child in ops:
            new_group = not isinstance(previous, c.CommentOp) and (
                isinstance(child, c.CommentOp | c.FuncOp) or type(previous) is not type(child)
            )
            if previous is not None and new_group:
                self.blank_line()
            self.print_op(child)
            previous = child

    @print_op.register
    def _(self, op: c.IncludeOp) -> None:
        header = op.header.data
        self.line(f"#include <{header}>" if op.system is not None else f'#include "{header}"')

    @print_op.register
    def _(self, op: c.DefineOp) -> None:
        self.line(f"#define {op.macro.data} {op.value.data}")

    @print_op.register
    def _(self, op: c.CommentOp) -> None:
        lines = op.text.data.split("\n")
        if len(lines) == 1:
            self.line(f"/* {lines[0]} */")
            return
        self.line("/*")
        for text in lines:
            self.line(f" * {text}".rstrip())
        self.line(" */")

    @print_op.register
    def _(self, op: c.GlobalOp) -> None:
        parts: list[str] = []
        if op.is_static is not None:
            parts.append("static")
        if op.is_extern is not None:
            parts.append("extern")
        if op.is_const is not None:
            parts.append("const")
        parts.append(c_declaration(op.global_type, op.sym_name.data))
        if op.align is not None:
            parts.append(f"__attribute__((aligned({op.align.value.data})))")
        text = " ".join(parts)
        if op.init is not None:
            text += " = "
            text += initializer(op.init, used=len(text) + 1)
        self.line(text + ";")

    @print_op.register
    def _(self, op: c.FuncOp) -> None:
        self._exprs = {}
        inputs = op.function_type.inputs.data
        outputs = op.function_type.outputs.data
        result = c_type(outputs[0]) if outputs else "void"
        names = [n.data for n in op.param_names]
        params = ", ".join(c_declaration(t, n) for t, n in zip(inputs, names, strict=True))
        static = "static " if op.is_static is not None else ""
        signature = f"{static}{result} {op.sym_name.data}({params or 'void'})"
        if op.is_declaration:
            self.line(signature + ";")
            return
        for arg, name in zip(op.body.block.args, names, strict=True):
            self._exprs[arg] = name
        self.line(signature + " {")
        with self.indented():
            for child in op.body.block.ops:
                self.print_op(child)
        self.line("}")

    @print_op.register
    def _(self, op: c.CallOp) -> None:
        callee = op.callee.root_reference.data
        args = [self.expr(a) for a in op.args]
        flat = f"{callee}({', '.join(args)});"
        if len(flat) + 2 * self._indent <= 100:
            self.line(flat)
            return
        self.line(f"{callee}(")
        with self.indented(2):
            lines = wrap_list(args, "", 100 - 2 * self._indent).split("\n")
            for text in lines[:-1]:
                self.line(text)
            self.line(lines[-1].rstrip(",") + ");")

    @print_op.register
    def _(self, op: c.DiscardOp) -> None:
        self.line(f"(void){self.expr(op.value)};")

    @print_op.register
    def _(self, op: c.ReturnOp) -> None:
        # A void function's closing return is implicit in C.
        del op

    @print_op.register
    def _(self, op: c.LiteralOp) -> None:
        self._exprs[op.result] = op.value.data

    @print_op.register
    def _(self, op: c.SymbolOp) -> None:
        self._exprs[op.result] = op.symbol.root_reference.data

    @print_op.register
    def _(self, op: c.AddrOfOp) -> None:
        self._exprs[op.result] = f"&{op.symbol.root_reference.data}"

    @print_op.register
    def _(self, op: c.OffsetOp) -> None:
        base = self.expr(op.base)
        offset = op.bytes.value.data
        location = base if offset == 0 else f"{base} + {offset}"
        self._exprs[op.result] = f"({c_type(op.result.type)})({location})"


@dataclass(frozen=True)
class EmittedFile:
    path: str
    content: str | bytes
    copied_from: str | None = None
    """For a file of micro's C library copied unchanged: its path in that library."""


def library_file(source: str) -> str:
    """The text of a file of micro's C library (the `micro.kernels` package data)."""
    resource = files("micro.kernels").joinpath(*source.split("/"))
    if not resource.is_file():
        raise CEmitError(f"emit-c: micro's C library has no file '{source}'")
    return resource.read_text()


def emit_files(module: ModuleOp) -> list[EmittedFile]:
    """Print every file of `module`; raises CEmitError before returning anything."""
    files: list[EmittedFile] = []
    for op in module.ops:
        if isinstance(op, c.BinaryFileOp):
            files.append(EmittedFile(op.path.data, op.data.data.data))
        elif isinstance(op, c.CopyFileOp):
            source = op.source.data
            files.append(EmittedFile(op.path.data, library_file(source), source))
        elif isinstance(op, c.FileOp):
            buffer = io.StringIO()
            emitter = CEmitter(stream=buffer)
            emitter.print_op(op)
            emitter.finish()
            files.append(EmittedFile(op.path.data, buffer.getvalue()))
        else:
            raise CEmitError(
                f"emit-c: expected only c.file, c.binary_file and c.copy_file at module level, "
                f"found '{op.name}' (run convert-kernel-to-c first)"
            )
    return files


def emit_c(module: ModuleOp, output: io.TextIOBase | io.StringIO) -> None:
    """Print all text files of `module` to one stream, each after a `/* path */` banner."""
    text = io.StringIO()
    for file in emit_files(module):
        if isinstance(file.content, bytes):
            text.write(f"/* ===== {file.path}: {len(file.content)} bytes of data ===== */\n")
            continue
        if file.copied_from is not None:
            text.write(f"/* ===== {file.path}: copy of {file.copied_from} ===== */\n")
            continue
        text.write(f"/* ===== {file.path} ===== */\n")
        text.write(file.content)
    output.write(text.getvalue())


def write_files(files: list[EmittedFile], root: Path) -> None:
    for file in files:
        target = root / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(file.content, bytes):
            target.write_bytes(file.content)
        else:
            target.write_text(file.content)
