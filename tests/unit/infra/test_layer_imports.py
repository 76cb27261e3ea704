"""The local stack lets a function import only what its layers carry (infra.local.layer_imports)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from infra.local import layer_imports
from infra.local.layer_imports import Importable, as_function, checked_import, importable

ROOT = Path(__file__).resolve().parents[3]
OA_CORE = ROOT / "layers" / "oa_core"
PDF = ROOT / "layers" / "pdf"
PDF_STACK = {"fpdf", "PIL", "fontTools", "defusedxml", "pypdf", "cryptography"}


def test_a_requirements_file_names_distributions_and_they_have_import_names() -> None:
    names = layer_imports.required_distributions(OA_CORE / "requirements.txt")
    assert {"aws-lambda-powertools", "boto3", "botocore", "pydantic", "pynamodb", "tzdata"} <= set(names)
    assert layer_imports.required_distributions(ROOT / "no-such-requirements.txt") == []
    assert layer_imports.modules_of(["pillow", "fpdf2", "FontTools", "python_dateutil"]) == {
        "PIL",
        "fpdf",
        "fontTools",
        "dateutil",
    }


def test_what_the_functions_of_the_template_may_import() -> None:
    api = importable("ApiFunction", ROOT / "functions" / "api", [("OaCoreLayer", OA_CORE)])
    typeset = importable(
        "TypesetFunction",
        ROOT / "functions" / "typeset",
        [("OaCoreLayer", OA_CORE), ("PdfLayer", PDF), ("FontsLayer", None)],
    )
    runtime = {"boto3", "botocore", "urllib3", "dateutil", "jmespath", "s3transfer"}
    core = {"oa_core", "app", "aws_lambda_powertools", "pydantic", "pynamodb", "jinja2", "icalendar", "tzdata"}
    assert core | runtime <= api.modules
    assert not PDF_STACK & api.modules
    assert typeset.modules >= PDF_STACK
    assert api.checked == {"oa_core", "app", "routes"}  # the layer's own code and the function's
    assert typeset.checked == {"oa_core", "app"}
    assert typeset.layers == ("OaCoreLayer", "PdfLayer", "FontsLayer")


ALLOWED = Importable(
    function="Fn", layers=("Core",), modules=frozenset({"oa_core", "pydantic"}), checked=frozenset({"oa_core"})
)


def test_our_code_imports_only_the_standard_library_and_the_layers() -> None:
    handler = f"{layer_imports.HANDLER_MODULE_PREFIX}Fn_1"
    for importer in ("oa_core.publishing.typesetting", handler):
        assert not ALLOWED.denies("json", importer)
        assert not ALLOWED.denies("pydantic.fields", importer)
        assert ALLOWED.denies("fpdf", importer)
        assert ALLOWED.denies("yaml.constructor", importer)
    # Third-party packages import their own dependencies (pip installs them with the layer).
    assert not ALLOWED.denies("fpdf", "pydantic.main")
    assert not ALLOWED.denies("fpdf", "oa_core_lookalike")


def test_a_routers_late_import_is_checked_as_the_handlers_is() -> None:
    api = importable("ApiFunction", ROOT / "functions" / "api", [("OaCoreLayer", OA_CORE)])
    assert api.denies("fpdf", "routes.documents")
    assert not api.denies("pydantic", "routes.documents")


def test_only_an_invocation_is_checked_and_a_cached_module_is_no_way_round() -> None:
    ours = {"__name__": "oa_core.publishing.typesetting"}
    assert checked_import("yaml", ours).__name__ == "yaml"  # no invocation: anything in the venv
    with as_function(ALLOWED):
        with pytest.raises(ModuleNotFoundError, match=r"No module named 'yaml' \(local stack: no layer of Fn carries"):
            checked_import("yaml", ours)  # already in sys.modules, refused all the same
        assert checked_import("json", ours).__name__ == "json"
        assert checked_import("pydantic", {"__name__": "oa_core"}, None, ("BaseModel",)).__name__ == "pydantic"
        assert checked_import("yaml", {"__name__": "moto.core"}).__name__ == "yaml"  # not our code
        with as_function(None):
            assert checked_import("yaml", ours).__name__ == "yaml"  # a function that is not checked
        elsewhere: list[str] = []
        thread = threading.Thread(target=lambda: elsewhere.append(checked_import("yaml", ours).__name__))
        thread.start()
        thread.join(5)
        assert elsewhere == ["yaml"]  # another thread is another invocation's (or none)
    assert checked_import("yaml", ours).__name__ == "yaml"
