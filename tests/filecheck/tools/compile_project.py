"""Compile every C file of a generated project: `compile_project.py CC PROJECT_DIR`."""

import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]


def main() -> int:
    compiler, project = sys.argv[1], Path(sys.argv[2])
    include = [
        "-I",
        str(project / "include"),
        "-I",
        str(project),
        "-I",
        str(project / "src"),
        "-I",
        str(project / "src" / "kernels"),
    ]
    sources = sorted(project.glob("src/**/*.c")) + sorted(project.glob("benchmark/*.c"))
    if not sources:
        print(f"no C files in {project}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as out:
        for source in sources:
            obj = Path(out) / (source.stem + ".o")
            result = subprocess.run([compiler, *FLAGS, *include, "-c", str(source), "-o", str(obj)])
            if result.returncode:
                return result.returncode
    print(f"compiled {len(sources)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
