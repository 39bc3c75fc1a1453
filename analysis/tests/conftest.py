import pathlib
import sys

# Make trim_analysis importable without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
