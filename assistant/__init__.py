"""研报起草助手: drafts monthly sell-side industry reports from a market data pack and a news corpus."""

from pathlib import Path

__all__ = ["PACKAGE_DIR", "PROJECT_DIR", "SAMPLE_DIR", "__version__"]

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
# prompts/ and ui/ sit beside the package in the source tree (the project is installed editable).
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DIR = PACKAGE_DIR / "data" / "sample"
