// Area of one design (docs/model.md, "Area and FPGA resources"): ASIC area in mm^2 from
// per-component constants, or FPGA DSP and block-RAM counts. Depends on the hardware only.
// Internal to the model module.
#pragma once

#include "trim/model/hardware.hpp"

namespace trim::model::detail {

struct AreaResult {
  double area_mm2 = 0;  ///< ASIC target; 0 for FPGA
  double dsp = 0;       ///< FPGA target; 0 for ASIC
  double bram = 0;      ///< FPGA target; 0 for ASIC
};

AreaResult ComputeArea(const Hardware& hw);

}  // namespace trim::model::detail
