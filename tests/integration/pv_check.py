"""Opens a VTKHDF view with ParaView and renders it; run by test_paraview.py as
    xvfb-run -a -s "-screen 0 1024x768x24" pvpython pv_check.py VIEW.hdf SHOT.png ARRAY...
Prints one JSON line: the reader class, point and cell counts, the bounds, and for each ARRAY its
number of tuples, data type and range, as ParaView sees them.
"""
import json
import sys

from paraview import servermanager
from paraview.simple import (ColorBy, GetActiveViewOrCreate, OpenDataFile, Render,
                             ResetCamera, SaveScreenshot, Show)

view_path, shot = sys.argv[1], sys.argv[2]
reader = OpenDataFile(view_path)
if reader is None:
    print(json.dumps({"error": f"no reader for {view_path}"}))
    sys.exit(1)
reader.UpdatePipeline()
data = servermanager.Fetch(reader)
info = {"reader": reader.GetXMLName(), "points": data.GetNumberOfPoints(),
        "cells": data.GetNumberOfCells(), "bounds": list(data.GetBounds()), "arrays": {}}
point_data = data.GetPointData()
info["array_count"] = point_data.GetNumberOfArrays()
for name in sys.argv[3:]:
    a = point_data.GetArray(name)
    info["arrays"][name] = None if a is None else {
        "tuples": a.GetNumberOfTuples(), "type": a.GetDataTypeAsString(),
        "range": list(a.GetRange())}

view = GetActiveViewOrCreate("RenderView")
view.ViewSize = [640, 480]
view.Background = [1.0, 1.0, 1.0]
view.OrientationAxesVisibility = 0  # so that a blank render is really blank
try:  # ParaView 5.11 otherwise uses its palette's background
    view.UseColorPaletteForBackground = 0
except AttributeError:
    pass
display = Show(reader, view)
display.SetRepresentationType("Points")
display.PointSize = 5
ColorBy(display, ("POINTS", "energy_pj"))
ResetCamera(view)
Render(view)
SaveScreenshot(shot, view, ImageResolution=[640, 480])
print(json.dumps(info))
