"""
The `c` dialect: C source files as IR.

Everything the generated C says is decided by passes (`convert-kernel-to-c`) and spelled
here; `micro-translate --emit-c` prints it without making decisions (as MLIR's EmitC
and TranslateToCpp do). A module holds `c.file` ops (text files: `.c`, `.h`),
`c.binary_file` ops (raw bytes: `net.bin`) and `c.copy_file` ops (files of micro's C
library, copied as they are: kernels, runtime).

Statements: `c.include`, `c.define`, `c.comment`, `c.global`, `c.func`, `c.call`,
`c.discard`, `c.return`. Expressions (printed inline at their use, never as temporaries):
`c.literal`, `c.symbol`, `c.addr_of`, `c.offset`.

Types: `!c.ptr<T>` / `!c.ptr<const T>`, `!c.array<N x T>`, `!c.opaque<"name">`, plus the
builtin `f32`, `f64`, `i8`/`i16`/`i32`/`i64` (signed C types), `ui8`..`ui64`, `index`
(`size_t`) and `i1` (`bool`).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    FunctionType,
    IntAttr,
    IntegerAttr,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    NoTerminator,
    Pure,
    SymbolOpInterface,
)
from xdsl.utils.exceptions import VerifyException

# ----------------------------------------------------------------------------------------
# Types and attributes
# ----------------------------------------------------------------------------------------


@irdl_attr_definition
class PtrType(ParametrizedAttribute, TypeAttribute):
    """A C pointer, `!c.ptr<f32>` (`float *`) or `!c.ptr<const f32>` (`const float *`)."""

    name = "c.ptr"

    pointee: Attribute
    is_const: IntAttr

    def __init__(self, pointee: Attribute, is_const: bool = False):
        super().__init__(pointee, IntAttr(int(is_const)))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            is_const = parser.parse_optional_keyword("const") is not None
            pointee = parser.parse_type()
        return (pointee, IntAttr(int(is_const)))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            if self.is_const.data:
                printer.print_string("const ")
            printer.print_attribute(self.pointee)


@irdl_attr_definition
class ArrayType(ParametrizedAttribute, TypeAttribute):
    """A C array, `!c.array<4 x f32>` (`float name[4]`)."""

    name = "c.array"

    size: IntAttr
    element_type: Attribute

    def __init__(self, size: int, element_type: Attribute):
        super().__init__(IntAttr(size), element_type)

    def verify(self) -> None:
        if self.size.data <= 0:
            raise VerifyException(f"C arrays need a positive size, got {self.size.data}")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            size = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_keyword("x")
            element = parser.parse_type()
        return (IntAttr(size), element)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(f"{self.size.data} x ")
            printer.print_attribute(self.element_type)


@irdl_attr_definition
class OpaqueType(ParametrizedAttribute, TypeAttribute):
    """A C type spelled verbatim, `!c.opaque<"MicroConv2dParams">`."""

    name = "c.opaque"

    spelling: StringAttr

    def __init__(self, spelling: str):
        super().__init__(StringAttr(spelling))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            spelling = parser.parse_str_literal()
        return (StringAttr(spelling),)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.spelling.data)


@irdl_attr_definition
class ExprAttr(ParametrizedAttribute):
    """
    A C constant expression spelled verbatim inside an initializer, `#c.expr<"NULL">`
    (an enumerator, a macro, a cast).
    """

    name = "c.expr"

    spelling: StringAttr

    def __init__(self, spelling: str):
        super().__init__(StringAttr(spelling))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            spelling = parser.parse_str_literal()
        return (StringAttr(spelling),)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.spelling.data)


@irdl_attr_definition
class StructInitAttr(ParametrizedAttribute):
    """
    A designated initializer, `#c.struct<["in_h", 32 : i32], ["act", #c.expr<"X">]>`:
    fields in the order given, printed `{.in_h = 32, .act = X}`. Values are integer,
    float, string, symbol-reference, `#c.expr`, array or nested struct attributes.
    """

    name = "c.struct"

    fields: ArrayAttr[StringAttr]
    values: ArrayAttr[Attribute]

    def __init__(self, fields: Sequence[tuple[str, Attribute]]):
        super().__init__(
            ArrayAttr(StringAttr(k) for k, _ in fields), ArrayAttr(v for _, v in fields)
        )

    def items(self) -> list[tuple[str, Attribute]]:
        return [(k.data, v) for k, v in zip(self.fields, self.values, strict=True)]

    def verify(self) -> None:
        if len(self.fields) != len(self.values):
            raise VerifyException("struct initializer needs one value per field")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        def parse_field() -> tuple[str, Attribute]:
            parser.parse_punctuation("[")
            key = parser.parse_str_literal()
            parser.parse_punctuation(",")
            value = parser.parse_attribute()
            parser.parse_punctuation("]")
            return key, value

        pairs = parser.parse_comma_separated_list(parser.Delimiter.ANGLE, parse_field)
        return (ArrayAttr(StringAttr(k) for k, _ in pairs), ArrayAttr(v for _, v in pairs))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            for i, (key, value) in enumerate(self.items()):
                if i:
                    printer.print_string(", ")
                printer.print_string("[")
                printer.print_string_literal(key)
                printer.print_string(", ")
                printer.print_attribute(value)
                printer.print_string("]")


# ----------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------


@irdl_op_definition
class FileOp(IRDLOperation):
    """
    One text file of the generated project, at `path` (relative to the project root).
    A header gets an include guard and `extern "C"` when `guard` is set.
    """

    name = "c.file"

    path = prop_def(StringAttr)
    guard = opt_prop_def(StringAttr)
    body = region_def("single_block")

    traits = traits_def(NoTerminator(), IsolatedFromAbove())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$path (`guard` $guard^)? $body attr-dict"

    def __init__(self, path: str, guard: str | None = None, body: Region | None = None):
        super().__init__(
            properties={
                "path": StringAttr(path),
                "guard": StringAttr(guard) if guard is not None else None,
            },
            regions=[body or Region(Block())],
        )


@irdl_op_definition
class BinaryFileOp(IRDLOperation):
    """A binary file of the generated project (e.g. `src/net.bin`), holding `data` bytes."""

    name = "c.binary_file"

    path = prop_def(StringAttr)
    data = prop_def(DenseIntOrFPElementsAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$path attr-dict"

    def __init__(self, path: str, data: DenseIntOrFPElementsAttr):
        super().__init__(properties={"path": StringAttr(path), "data": data})


@irdl_op_definition
class CopyFileOp(IRDLOperation):
    """
    A file of micro's C library copied into the project unchanged: `source` is its path
    inside the `micro.kernels` package (e.g. `generic/fp32/conv2d_f32.c`), `path` where it
    goes in the project.
    """

    name = "c.copy_file"

    path = prop_def(StringAttr)
    source = prop_def(StringAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$path `from` $source attr-dict"

    def __init__(self, path: str, source: str):
        super().__init__(properties={"path": StringAttr(path), "source": StringAttr(source)})


# ----------------------------------------------------------------------------------------
# File-level statements
# ----------------------------------------------------------------------------------------


@irdl_op_definition
class IncludeOp(IRDLOperation):
    """`#include "header"`, or `#include <header>` when `system` is set."""

    name = "c.include"

    header = prop_def(StringAttr)
    system = opt_prop_def(UnitAttr)

    traits = traits_def(HasParent(FileOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$header attr-dict"

    def __init__(self, header: str, system: bool = False):
        super().__init__(
            properties={"header": StringAttr(header), "system": UnitAttr() if system else None}
        )


@irdl_op_definition
class DefineOp(IRDLOperation):
    """`#define macro value`."""

    name = "c.define"

    macro = prop_def(StringAttr)
    value = prop_def(StringAttr)

    traits = traits_def(HasParent(FileOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$macro $value attr-dict"

    def __init__(self, macro: str, value: str):
        super().__init__(properties={"macro": StringAttr(macro), "value": StringAttr(value)})

    def verify_(self) -> None:
        if not self.macro.data.isidentifier():
            raise VerifyException(f"'{self.macro.data}' is not a C identifier")


@irdl_op_definition
class CommentOp(IRDLOperation):
    """A `/* ... */` comment (may span lines)."""

    name = "c.comment"

    text = prop_def(StringAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$text attr-dict"

    def __init__(self, text: str):
        super().__init__(properties={"text": StringAttr(text)})

    def verify_(self) -> None:
        if "*/" in self.text.data:
            raise VerifyException("a C comment cannot contain '*/'")


@irdl_op_definition
class GlobalOp(IRDLOperation):
    """
    A global variable. `init` (optional) is its initializer: a dense elements attribute
    (an array literal), a `#c.struct` designated initializer, an integer, float or string.
    Storage: `static`, `extern` (a declaration), `const`; `align` in bytes.
    """

    name = "c.global"

    sym_name = prop_def(SymbolNameConstraint())
    global_type = prop_def(TypeAttribute, prop_name="type")
    init = opt_prop_def(Attribute)
    is_static = opt_prop_def(UnitAttr, prop_name="static")
    is_extern = opt_prop_def(UnitAttr, prop_name="extern")
    is_const = opt_prop_def(UnitAttr, prop_name="const")
    align = opt_prop_def(IntegerAttr)

    traits = traits_def(SymbolOpInterface(), HasParent(FileOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$sym_name `:` $type attr-dict"

    def __init__(
        self,
        sym_name: str,
        type: Attribute,
        *,
        init: Attribute | None = None,
        static: bool = False,
        extern: bool = False,
        const: bool = False,
        align: int | None = None,
    ):
        super().__init__(
            properties={
                "sym_name": StringAttr(sym_name),
                "type": type,
                "init": init,
                "static": UnitAttr() if static else None,
                "extern": UnitAttr() if extern else None,
                "const": UnitAttr() if const else None,
                "align": IntegerAttr(align, i64) if align is not None else None,
            }
        )

    def verify_(self) -> None:
        if self.is_extern is not None and self.init is not None:
            raise VerifyException("an extern declaration cannot have an initializer")
        if self.is_extern is not None and self.is_static is not None:
            raise VerifyException("a global cannot be both static and extern")


@irdl_op_definition
class FuncOp(IRDLOperation):
    """
    A C function. With a body it is a definition (the body's block arguments are the
    parameters, `param_names` their C names); with an empty region, a prototype.
    """

    name = "c.func"

    sym_name = prop_def(SymbolNameConstraint())
    function_type = prop_def(FunctionType)
    param_names = prop_def(ArrayAttr[StringAttr])
    is_static = opt_prop_def(UnitAttr, prop_name="static")
    body = region_def()

    traits = traits_def(SymbolOpInterface(), HasParent(FileOp), IsolatedFromAbove())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "(`static` $static^)? $sym_name `(` $param_names `)` `:` $function_type $body attr-dict"
    )

    def __init__(
        self,
        sym_name: str,
        inputs: Sequence[Attribute],
        param_names: Sequence[str],
        *,
        result: Attribute | None = None,
        static: bool = False,
        declaration: bool = False,
    ):
        body = Region() if declaration else Region(Block(arg_types=inputs))
        super().__init__(
            properties={
                "sym_name": StringAttr(sym_name),
                "function_type": FunctionType.from_lists(inputs, [result] if result else []),
                "param_names": ArrayAttr(StringAttr(n) for n in param_names),
                "static": UnitAttr() if static else None,
            },
            regions=[body],
        )

    @property
    def is_declaration(self) -> bool:
        return not self.body.blocks

    def verify_(self) -> None:
        inputs = self.function_type.inputs.data
        if len(self.param_names) != len(inputs):
            raise VerifyException(
                f"function '{self.sym_name.data}' has {len(inputs)} parameters but "
                f"{len(self.param_names)} names"
            )
        if len(self.function_type.outputs.data) > 1:
            raise VerifyException("a C function returns at most one value")
        if self.is_declaration:
            return
        block = self.body.block
        if tuple(a.type for a in block.args) != tuple(inputs):
            raise VerifyException("function body arguments do not match the function type")
        if not isinstance(block.last_op, ReturnOp):
            raise VerifyException("a function body must end with c.return")


# ----------------------------------------------------------------------------------------
# Function-level statements and expressions
# ----------------------------------------------------------------------------------------


@irdl_op_definition
class CallOp(IRDLOperation):
    """A call statement `callee(args...);` (void functions)."""

    name = "c.call"

    callee = prop_def(SymbolRefAttr)
    args = var_operand_def()

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$callee `(` $args `)` attr-dict `:` type($args)"

    def __init__(self, callee: str, args: Sequence[SSAValue]):
        super().__init__(operands=[args], properties={"callee": SymbolRefAttr(callee)})


@irdl_op_definition
class DiscardOp(IRDLOperation):
    """`(void)value;`: marks a parameter the function does not use."""

    name = "c.discard"

    value = operand_def()

    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value])


@irdl_op_definition
class ReturnOp(IRDLOperation):
    """`return;`"""

    name = "c.return"

    traits = traits_def(IsTerminator(), HasParent(FuncOp))
    assembly_format = "attr-dict"


@irdl_op_definition
class LiteralOp(IRDLOperation):
    """An expression spelled verbatim, e.g. `NULL`."""

    name = "c.literal"

    value = prop_def(StringAttr)
    result = result_def()

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$value attr-dict `:` type($result)"

    def __init__(self, value: str, type: Attribute):
        super().__init__(properties={"value": StringAttr(value)}, result_types=[type])


@irdl_op_definition
class SymbolOp(IRDLOperation):
    """A global or function named as an expression: `name`."""

    name = "c.symbol"

    symbol = prop_def(SymbolRefAttr)
    result = result_def()

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$symbol attr-dict `:` type($result)"

    def __init__(self, symbol: str, type: Attribute):
        super().__init__(properties={"symbol": SymbolRefAttr(symbol)}, result_types=[type])


@irdl_op_definition
class AddrOfOp(IRDLOperation):
    """The address of a global: `&name`."""

    name = "c.addr_of"

    symbol = prop_def(SymbolRefAttr)
    result = result_def(PtrType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$symbol attr-dict `:` type($result)"

    def __init__(self, symbol: str, type: PtrType):
        super().__init__(properties={"symbol": SymbolRefAttr(symbol)}, result_types=[type])


@irdl_op_definition
class OffsetOp(IRDLOperation):
    """
    A typed pointer `bytes` bytes past a byte pointer: `(float *)(base + 1024)`. This is
    how planned arena slices and weight-blob entries are addressed.
    """

    name = "c.offset"

    base = operand_def(PtrType)
    bytes = prop_def(IntegerAttr)
    result = result_def(PtrType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$base `[` $bytes `]` attr-dict `:` type($base) `->` type($result)"

    def __init__(self, base: SSAValue, bytes: int, type: PtrType):
        super().__init__(
            operands=[base], properties={"bytes": IntegerAttr(bytes, i64)}, result_types=[type]
        )

    def verify_(self) -> None:
        if self.bytes.value.data < 0:
            raise VerifyException("a pointer offset cannot be negative")
        assert isinstance(self.base.type, PtrType)
        pointee = self.base.type.pointee
        if not (hasattr(pointee, "width") and getattr(pointee, "width").data == 8):
            raise VerifyException(f"c.offset needs a byte pointer base, got {self.base.type}")


C = Dialect(
    "c",
    [
        FileOp,
        BinaryFileOp,
        CopyFileOp,
        IncludeOp,
        DefineOp,
        CommentOp,
        GlobalOp,
        FuncOp,
        CallOp,
        DiscardOp,
        ReturnOp,
        LiteralOp,
        SymbolOp,
        AddrOfOp,
        OffsetOp,
    ],
    [PtrType, ArrayType, OpaqueType, ExprAttr, StructInitAttr],
)
