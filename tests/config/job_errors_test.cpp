// Exact error messages of bad job, hardware and technology texts, parsed from memory.
// Columns are 1-based; the comments under some cases point at the offending character.
#include <gtest/gtest.h>

#include <string>

#include "job_test_util.hpp"
#include "trim/model/options.hpp"
#include "trim/net/zoo.hpp"

namespace trim::config {
namespace {

using testing::kHead;
using testing::MemFiles;

std::string Networks() {
  std::string s;
  for (const auto n : net::BuiltinNetworkNames()) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

// The option names in registry order (other modules add options).
std::string OptionNames() {
  std::string s;
  for (const auto& o : model::Options()) s += (s.empty() ? "" : ", ") + std::string(o.name);
  return s;
}

std::string Err(std::string_view tail) {
  return MemFiles().Error(std::string(kHead) + std::string(tail));
}

constexpr const char* kRangeForm =
    "a range is { start = 8, stop = 32, step = 4 } or { start = 64, stop = 1024, factor = 2 }";

// ---- [sweep] ----------------------------------------------------------------------------

TEST(JobErrors, SweepUnknownKeySuggestsParameter) {
  EXPECT_EQ(Err("[sweep]\npe_row = [8]\n"),
            "jobs/t.toml:6:1: error: unknown key 'pe_row' in [sweep]\n"
            "  hint: did you mean 'pe_rows'? [sweep] takes hardware parameter names "
            "(docs/job-format.md)");
}

TEST(JobErrors, SweepWorkloadAxisPointsToWorkload) {
  EXPECT_EQ(Err("[sweep]\nbatch = [1, 2]\n"),
            "jobs/t.toml:6:1: error: unknown key 'batch' in [sweep]\n"
            "  hint: 'batch' is a workload axis: put it in [workload]");
}

TEST(JobErrors, IntGivenAsFloat) {
  // pe_rows = [8, 12.0]
  //               ^ column 15
  EXPECT_EQ(Err("[sweep]\npe_rows = [8, 12.0]\n"),
            "jobs/t.toml:6:15: error: sweep.pe_rows[1] = 12.0 must be an integer\n"
            "  hint: write 12 without the decimal point");
}

TEST(JobErrors, FractionForIntegerParameter) {
  EXPECT_EQ(Err("[sweep]\npe_rows = [8.5]\n"),
            "jobs/t.toml:6:12: error: sweep.pe_rows[0] = 8.5 must be an integer\n"
            "  hint: pe_rows takes whole numbers from 1 to 65536");
}

TEST(JobErrors, AxisOfWrongType) {
  EXPECT_EQ(Err("[sweep]\npe_rows = \"8\"\n"),
            "jobs/t.toml:6:11: error: sweep.pe_rows must be a list or a range table, not a "
            "string\n  hint: an axis is a list, e.g. pe_rows = [12], or " +
                std::string(kRangeForm));
}

TEST(JobErrors, EmptyAxis) {
  EXPECT_EQ(Err("[sweep]\npe_rows = []\n"),
            "jobs/t.toml:6:11: error: sweep.pe_rows is an empty list\n"
            "  hint: list at least one value, e.g. pe_rows = [12]");
}

TEST(JobErrors, DuplicateAxisValue) {
  // pe_rows = [8, 16, 8]
  //                   ^ column 19
  EXPECT_EQ(Err("[sweep]\npe_rows = [8, 16, 8]\n"),
            "jobs/t.toml:6:19: error: sweep.pe_rows[2] = 8 repeats sweep.pe_rows[0]\n"
            "  hint: every value of an axis must be distinct; remove the repeated one");
}

TEST(JobErrors, DuplicateRealAxisValueWrittenDifferently) {
  // 64 and 64.0 are the same KiB count.
  EXPECT_EQ(Err("[sweep]\nglb_kib = [64, 128, 64.0]\n"),
            "jobs/t.toml:6:21: error: sweep.glb_kib[2] = 64 repeats sweep.glb_kib[0]\n"
            "  hint: every value of an axis must be distinct; remove the repeated one");
}

TEST(JobErrors, RangeZeroStep) {
  // pe_cols = { start = 8, stop = 32, step = 0 }
  //                                          ^ column 42
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stop = 32, step = 0 }\n"),
            "jobs/t.toml:6:42: error: sweep.pe_cols.step = 0 must be positive\n"
            "  hint: the values are start, start + step, start + 2 * step, ... up to stop");
}

TEST(JobErrors, RangeNegativeStep) {
  EXPECT_EQ(Err("[sweep]\nglb_kib = { start = 8, stop = 32, step = -4.0 }\n"),
            "jobs/t.toml:6:42: error: sweep.glb_kib.step = -4.0 must be positive\n"
            "  hint: the values are start, start + step, start + 2 * step, ... up to stop");
}

TEST(JobErrors, RangeStartAboveStop) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 40, stop = 32, step = 4 }\n"),
            "jobs/t.toml:6:32: error: sweep.pe_cols: start = 40 is greater than stop = 32\n"
            "  hint: ranges count upward: swap start and stop");
}

TEST(JobErrors, RangeFactorOne) {
  EXPECT_EQ(Err("[sweep]\nglb_kib = { start = 64, stop = 1024, factor = 1 }\n"),
            "jobs/t.toml:6:47: error: sweep.glb_kib.factor = 1 must be greater than 1\n"
            "  hint: the values are start, start * factor, start * factor^2, ... up to stop");
}

TEST(JobErrors, GeometricRangeFromZero) {
  EXPECT_EQ(Err("[sweep]\nglb_kib = { start = 0, stop = 1024, factor = 2 }\n"),
            "jobs/t.toml:6:21: error: sweep.glb_kib.start = 0 must be positive in a geometric "
            "range\n  hint: each value is the previous one times factor, so start must be above 0");
}

TEST(JobErrors, IntegerRangeNeedsWholeStep) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stop = 32, step = 2.5 }\n"),
            "jobs/t.toml:6:42: error: sweep.pe_cols.step = 2.5 must be an integer\n"
            "  hint: pe_cols takes whole numbers, so its range needs a whole step");
}

TEST(JobErrors, RangeUnknownKey) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stopp = 32, step = 4 }\n"),
            "jobs/t.toml:6:24: error: unknown key 'stopp' in range sweep.pe_cols\n"
            "  hint: did you mean 'stop'? " +
                std::string(kRangeForm));
}

TEST(JobErrors, RangeWithoutStop) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, step = 4 }\n"),
            "jobs/t.toml:6:11: error: range sweep.pe_cols has no 'stop'\n  hint: " +
                std::string(kRangeForm) + " (stop is inclusive)");
}

TEST(JobErrors, RangeWithStepAndFactor) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stop = 32, step = 4, factor = 2 }\n"),
            "jobs/t.toml:6:54: error: range sweep.pe_cols has both 'step' and 'factor'\n"
            "  hint: use step for an arithmetic range or factor for a geometric one, not both");
}

TEST(JobErrors, RangeWithNeitherStepNorFactor) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stop = 32 }\n"),
            "jobs/t.toml:6:11: error: range sweep.pe_cols has neither 'step' nor 'factor'\n"
            "  hint: " +
                std::string(kRangeForm));
}

TEST(JobErrors, AxisTooLarge) {
  // (1e9 - 1) / 1 + 1 = 1e9 values.
  EXPECT_EQ(Err("[sweep]\nglb_kib = { start = 1, stop = 1e9, step = 1 }\n"),
            "jobs/t.toml:6:11: error: sweep.glb_kib has 1000000000 values, more than the limit "
            "of 10000000\n  hint: use a larger step or factor, or split the sweep into several "
            "jobs");
}

TEST(JobErrors, ValueBelowMinimum) {
  EXPECT_EQ(Err("[sweep]\npe_rows = [0]\n"),
            "jobs/t.toml:6:12: error: sweep.pe_rows[0] = 0 is below the minimum 1\n"
            "  hint: pe_rows takes whole numbers from 1 to 65536");
}

TEST(JobErrors, RangeStopAboveMaximum) {
  EXPECT_EQ(Err("[sweep]\npe_cols = { start = 8, stop = 100000, step = 8 }\n"),
            "jobs/t.toml:6:31: error: sweep.pe_cols.stop = 100000 is above the maximum 65536\n"
            "  hint: pe_cols takes whole numbers from 1 to 65536");
}

TEST(JobErrors, NegativeRealValue) {
  EXPECT_EQ(Err("[sweep]\nglb_kib = [-1.5]\n"),
            "jobs/t.toml:6:12: error: sweep.glb_kib[0] = -1.5 is below the minimum 0\n"
            "  hint: glb_kib takes numbers from 0 to 1e+15 (KiB)");
}

TEST(JobErrors, NotANumber) {
  EXPECT_EQ(Err("[sweep]\nglb_kib = [nan]\n"),
            "jobs/t.toml:6:12: error: sweep.glb_kib[0] = nan must be a finite number\n"
            "  hint: glb_kib takes numbers from 0 to 1e+15 (KiB)");
}

TEST(JobErrors, UnknownChoiceSuggestsOne) {
  EXPECT_EQ(Err("[sweep]\ninterconnect = [\"multicst\"]\n"),
            "jobs/t.toml:6:17: error: sweep.interconnect[0] = \"multicst\" is not a valid "
            "choice\n  hint: did you mean 'multicast'? valid choices of interconnect: multicast, "
            "systolic");
}

TEST(JobErrors, ChoiceAsRange) {
  EXPECT_EQ(Err("[sweep]\ninterconnect = { start = 0, stop = 1, step = 1 }\n"),
            "jobs/t.toml:6:16: error: sweep.interconnect is a choice parameter and cannot be a "
            "range\n  hint: list the choices, e.g. interconnect = [\"multicast\"]");
}

TEST(JobErrors, SweptBitsConflictWithPreset) {
  EXPECT_EQ(Err("precision = [\"template\", \"int8\"]\n[sweep]\nbits_weight = [8, 16]\n"),
            "jobs/t.toml:7:1: error: sweep.bits_weight conflicts with the precision preset "
            "'int8' in [workload]\n  hint: a preset sets every bits_* parameter: sweep bits_* "
            "only with precision = [\"template\"], or drop the bits_* axis");
}

TEST(JobErrors, NumberFormatSweepsBesidePreset) {
  // A preset sets bits_weight, bits_act, bits_psum, bits_grad and bits_opt only: the number
  // format is not one of them, so a number_format axis beside a preset is a valid job.
  const JobSpec spec =
      MemFiles().Parse(std::string(kHead) +
                       "precision = [\"bf16\"]\n[sweep]\nnumber_format = [\"int\", \"bfloat\"]\n");
  EXPECT_EQ(spec.precisions.size(), 1u);
  EXPECT_EQ(spec.hw_axes.size(), 1u);
}

// ---- [workload] -------------------------------------------------------------------------

TEST(JobErrors, UnknownNetworkSuggestsOne) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"alexnte\"]\n"),
            "jobs/t.toml:4:13: error: workload.networks[0] = \"alexnte\" is not a built-in "
            "network\n  hint: did you mean 'alexnet'? valid built-in networks: " +
                Networks());
}

TEST(JobErrors, MissingOnnxFile) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"my.onnx\"]\n"),
            "jobs/t.toml:4:13: error: cannot read network file 'my.onnx' (tried jobs/my.onnx)\n"
            "  hint: a path ending in .onnx is relative to the directory of jobs/t.toml");
}

TEST(JobErrors, MalformedOnnxFileNamesTheFile) {
  MemFiles files;
  files.Set("jobs/my.onnx", "this is not a protobuf");
  const std::string err =
      files.Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"my.onnx\"]\n");
  EXPECT_EQ(err.substr(0, 19), "jobs/my.onnx: error") << err;
}

TEST(JobErrors, MissingNetworkFile) {
  // Relative paths resolve against the job file's directory (jobs/).
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"n.toml\"]\n"),
            "jobs/t.toml:4:13: error: cannot read network file 'n.toml' (tried jobs/n.toml)\n"
            "  hint: a path ending in .toml is relative to the directory of jobs/t.toml");
}

TEST(JobErrors, NetworkFileWithParameters) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\n"
                             "networks = [{ name = \"n.toml\", seq_len = 4 }]\n"),
            "jobs/t.toml:4:13: error: workload.networks[0] names a network file and parameters\n"
            "  hint: a network file fixes its own shapes: write the path alone, \"n.toml\"");
}

TEST(JobErrors, ErrorInsideANetworkFilePointsIntoIt) {
  MemFiles files;
  files.Set("jobs/n.toml", "input = [3, 8, 8]\n[[layer]]\nname = \"c\"\nkind = \"cnv\"\n");
  const std::string err =
      files.Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"n.toml\"]\n");
  EXPECT_EQ(err.substr(0, 19), "jobs/n.toml:4:8: er") << err;
  EXPECT_NE(err.find("cnv"), std::string::npos) << err;
}

TEST(JobErrors, NetworkFileIsLoadedAndRecorded) {
  // conv 3->4, 3x3, pad 1 on 8x8: 4*8*8*3*9 = 6912 MACs; fc 256->2: 512 MACs.
  MemFiles files;
  const std::string net =
      "input = [3, 8, 8]\n[[layer]]\nname = \"c\"\nkind = \"conv\"\nm = 4\nkernel = 3\npad = 1\n"
      "[[layer]]\nname = \"f\"\nkind = \"fc\"\nm = 2\n";
  files.Set("jobs/n.toml", net);
  const JobSpec spec =
      files.Parse("[job]\nhardware = \"chip\"\n[workload]\nnetworks = [\"n.toml\"]\n");
  ASSERT_EQ(spec.networks.size(), 1u);
  EXPECT_EQ(spec.networks[0].label, "n.toml");
  EXPECT_EQ(spec.networks[0].network.macs(), 6912 + 512);
  EXPECT_EQ(spec.sources.at("jobs/n.toml"), net);
}

TEST(JobErrors, NetworkTableUnknownKey) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\n"
                             "networks = [{ name = \"alexnet\", image_sise = 224 }]\n"),
            "jobs/t.toml:4:33: error: unknown key 'image_sise' in workload.networks[0]\n"
            "  hint: did you mean 'image_size'? a network table is { name = \"...\", seq_len = "
            "N, image_size = N }");
}

TEST(JobErrors, NetworkTableWithoutName) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\n"
                             "networks = [{ seq_len = 128 }]\n"),
            "jobs/t.toml:4:13: error: workload.networks[0] has no 'name'\n"
            "  hint: write { name = \"alexnet\", image_size = 227 }");
}

TEST(JobErrors, NetworkParametersTheNetworkRejects) {
  // The zoo's own message, placed at the table that names the network.
  const std::string msg = MemFiles().Error(
      "[job]\nhardware = \"chip\"\n[workload]\n"
      "networks = [{ name = \"alexnet\", image_size = 8 }]\n");
  EXPECT_EQ(msg.rfind("jobs/t.toml:4:22: error: network alexnet:image_size=8: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("conv1"), std::string::npos) << msg;
}

TEST(JobErrors, DuplicateNetwork) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\n"
                             "networks = [\"alexnet\", \"alexnet\"]\n"),
            "jobs/t.toml:4:24: error: workload.networks[1] repeats workload.networks[0] "
            "(alexnet)\n  hint: every network must be distinct; remove the repeated one");
}

TEST(JobErrors, NetworksNotAList) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\nnetworks = \"alexnet\"\n"),
            "jobs/t.toml:4:12: error: workload.networks must be a list, not a string\n"
            "  hint: write networks = [\"alexnet\"]");
}

TEST(JobErrors, WorkloadWithoutNetworks) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n[workload]\nbatch = [1]\n"),
            "jobs/t.toml:3:1: error: [workload] has no 'networks'\n"
            "  hint: add e.g. networks = [\"alexnet\"]; built-in networks: " +
                Networks());
}

TEST(JobErrors, UnknownDataflowSuggestsOne) {
  EXPECT_EQ(Err("dataflows = [\"wss\"]\n"),
            "jobs/t.toml:5:14: error: workload.dataflows[0] = \"wss\" is not a valid dataflow\n"
            "  hint: did you mean 'ws'? valid dataflows: ws, os, is, rs, nlr, best");
}

TEST(JobErrors, DuplicateDataflow) {
  EXPECT_EQ(Err("dataflows = [\"ws\", \"rs\", \"ws\"]\n"),
            "jobs/t.toml:5:26: error: workload.dataflows[2] = \"ws\" repeats "
            "workload.dataflows[0]\n  hint: every value of an axis must be distinct; remove "
            "the repeated one");
}

TEST(JobErrors, UnknownModeSuggestsOne) {
  EXPECT_EQ(Err("mode = [\"trainig\"]\n"),
            "jobs/t.toml:5:9: error: workload.mode[0] = \"trainig\" is not a valid mode\n"
            "  hint: did you mean 'training'? valid modes: inference, training");
}

TEST(JobErrors, UnknownPrecisionSuggestsOne) {
  EXPECT_EQ(Err("precision = [\"int4\"]\n"),
            "jobs/t.toml:5:14: error: workload.precision[0] = \"int4\" is not a valid precision "
            "preset\n  hint: did you mean 'int8'? valid precision presets: template, int8, int16, "
            "fp16, bf16, fp32, mixed");
}

TEST(JobErrors, BatchZero) {
  EXPECT_EQ(Err("batch = [0]\n"),
            "jobs/t.toml:5:10: error: workload.batch[0] = 0 is below the minimum 1\n"
            "  hint: batch takes whole numbers from 1 to 1048576");
}

TEST(JobErrors, UnknownWorkloadKey) {
  EXPECT_EQ(Err("dataflow = [\"ws\"]\n"),
            "jobs/t.toml:5:1: error: unknown key 'dataflow' in [workload]\n"
            "  hint: did you mean 'dataflows'? [workload] takes networks, dataflows, batch, mode "
            "and precision");
}

// ---- [goal], [constraints], [model] -----------------------------------------------------

TEST(JobErrors, UnknownGoalColumn) {
  EXPECT_EQ(Err("[goal]\nminimize = \"latncy\"\n"),
            "jobs/t.toml:6:12: error: goal.minimize = \"latncy\" is not a result column\n"
            "  hint: did you mean 'latency'? goals are result columns (docs/job-format.md lists "
            "them) or latency, energy, edp, area, power, throughput");
}

TEST(JobErrors, GoalWithMinimizeAndMaximize) {
  EXPECT_EQ(Err("[goal]\nminimize = \"energy\"\nmaximize = \"throughput\"\n"),
            "jobs/t.toml:7:12: error: [goal] has both 'minimize' and 'maximize'\n"
            "  hint: keep exactly one of them");
}

TEST(JobErrors, GoalTopZero) {
  EXPECT_EQ(Err("[goal]\ntop = 0\n"),
            "jobs/t.toml:6:7: error: goal.top = 0 is below the minimum 1\n"
            "  hint: top is how many best designs to keep per network, from 1 to 10000");
}

TEST(JobErrors, ConstraintWithoutBounds) {
  EXPECT_EQ(Err("[constraints]\narea_mm2 = {}\n"),
            "jobs/t.toml:6:12: error: constraints.area_mm2 has neither 'min' nor 'max'\n"
            "  hint: write area_mm2 = { max = ... } and/or { min = ... }");
}

TEST(JobErrors, ConstraintOnAliasNamesTheColumn) {
  EXPECT_EQ(Err("[constraints]\narea = { max = 1 }\n"),
            "jobs/t.toml:6:1: error: unknown key 'area' in [constraints]\n"
            "  hint: did you mean 'area_mm2'? constraints are result columns (docs/job-format.md "
            "lists them)");
}

TEST(JobErrors, ConstraintUnknownBound) {
  EXPECT_EQ(Err("[constraints]\npower_w = { mx = 1 }\n"),
            "jobs/t.toml:6:13: error: unknown key 'mx' in constraints.power_w\n"
            "  hint: did you mean 'max'? a constraint is { min = ... } and/or { max = ... }");
}

TEST(JobErrors, ConstraintMinAboveMax) {
  EXPECT_EQ(Err("[constraints]\npower_w = { min = 2, max = 1 }\n"),
            "jobs/t.toml:6:28: error: constraints.power_w: min = 2 is greater than max = 1\n"
            "  hint: no design can satisfy this constraint; fix the bounds");
}

TEST(JobErrors, ConstraintNotATable) {
  EXPECT_EQ(Err("[constraints]\npower_w = 0.5\n"),
            "jobs/t.toml:6:11: error: constraints.power_w must be a table, not a float\n"
            "  hint: write power_w = { max = ... }");
}

TEST(JobErrors, UnknownModelOption) {
  EXPECT_EQ(Err("[model]\noverlpa = \"serial\"\n"),
            "jobs/t.toml:6:1: error: unknown key 'overlpa' in [model]\n"
            "  hint: did you mean 'overlap'? valid model options: " +
                OptionNames());
}

TEST(JobErrors, UnknownModelChoice) {
  EXPECT_EQ(Err("[model]\noverlap = \"ovrlap\"\n"),
            "jobs/t.toml:6:11: error: model.overlap = \"ovrlap\" is not a valid choice\n"
            "  hint: did you mean 'overlap'? valid choices of overlap: overlap, serial, "
            "double_buffer");
}

TEST(JobErrors, ModelOptionNotAString) {
  EXPECT_EQ(Err("[model]\noverlap = 1\n"),
            "jobs/t.toml:6:11: error: model.overlap must be a string, not an integer\n"
            "  hint: write overlap = \"overlap\"; choices: overlap, serial, double_buffer");
}

// ---- top level and [job] ----------------------------------------------------------------

TEST(JobErrors, SyntaxError) {
  // The array is still open at the end of line 6 (column 18, after "16\n").
  EXPECT_EQ(Err("[sweep]\npe_rows = [8, 16\n"),
            "jobs/t.toml:6:18: error: invalid TOML: Error while parsing array: encountered "
            "end-of-file\n  hint: fix the syntax (TOML 1.0, https://toml.io/en/v1.0.0)");
}

TEST(JobErrors, DuplicateKeyIsASyntaxError) {
  EXPECT_EQ(Err("[sweep]\npe_rows = [8]\npe_rows = [16]\n"),
            "jobs/t.toml:7:11: error: invalid TOML: Error while parsing key-value pair: cannot "
            "redefine existing array 'pe_rows'\n  hint: fix the syntax (TOML 1.0, "
            "https://toml.io/en/v1.0.0)");
}

TEST(JobErrors, MissingJobTable) {
  EXPECT_EQ(MemFiles().Error("[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t.toml:1:1: error: the job file has no [job] table\n"
            "  hint: start it with [job] and hardware = \"<preset or file.toml>\"");
}

TEST(JobErrors, EmptyJobFile) {
  EXPECT_EQ(MemFiles().Error(""),
            "jobs/t.toml:1:1: error: the job file has no [job] table\n"
            "  hint: start it with [job] and hardware = \"<preset or file.toml>\"");
}

TEST(JobErrors, MissingHardwareKey) {
  EXPECT_EQ(MemFiles().Error("[job]\nname = \"x\"\n[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t.toml:1:1: error: [job] has no 'hardware'\n"
            "  hint: name a hardware preset or file, e.g. hardware = \"eyeriss-v1\"");
}

TEST(JobErrors, MissingWorkloadTable) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\n"),
            "jobs/t.toml:1:1: error: the job file has no [workload] table\n"
            "  hint: add [workload] with e.g. networks = [\"alexnet\"]");
}

TEST(JobErrors, UnknownTableSuggestsOne) {
  EXPECT_EQ(Err("[sweeps]\npe_rows = [8]\n"),
            "jobs/t.toml:5:2: error: unknown table [sweeps] in the job file\n"
            "  hint: did you mean 'sweep'? a job file has the tables [job], [sweep], [link], "
            "[workload], [goal], [constraints], [model] and [output]");
}

TEST(JobErrors, JobKeyOutsideJobTable) {
  EXPECT_EQ(MemFiles().Error("hardware = \"chip\"\n[job]\nname = \"x\"\n"),
            "jobs/t.toml:1:1: error: 'hardware' must be inside [job]\n"
            "  hint: write it under the [job] table");
}

TEST(JobErrors, JobKeyWrittenAsTable) {
  EXPECT_EQ(Err("[output]\npath = \"r.h5\"\n"),
            "jobs/t.toml:6:1: error: unknown key 'path' in [output]\n"
            "  hint: [output] takes columns and dtype; the results file's path is output = "
            "\"r.h5\" in [job]");
}

TEST(JobErrors, UnknownJobKeySuggestsOne) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\noutptu = \"x.h5\"\n"),
            "jobs/t.toml:3:1: error: unknown key 'outptu' in [job]\n"
            "  hint: did you mean 'output'? [job] takes name, hardware, output and chunk");
}

TEST(JobErrors, ChunkZero) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\nchunk = 0\n"),
            "jobs/t.toml:3:9: error: job.chunk = 0 is below the minimum 1\n"
            "  hint: write chunk = \"auto\" or a number of design points, e.g. 4096");
}

TEST(JobErrors, ChunkWord) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chip\"\nchunk = \"big\"\n"),
            "jobs/t.toml:3:9: error: job.chunk = \"big\" must be \"auto\" or a positive integer\n"
            "  hint: write chunk = \"auto\" or a number of design points, e.g. 4096");
}

TEST(JobErrors, HardwareNotAString) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = 12\n"),
            "jobs/t.toml:2:12: error: job.hardware must be a string, not an integer\n"
            "  hint: write hardware = \"eyeriss-v1\"");
}

// ---- hardware and technology files ------------------------------------------------------

TEST(JobErrors, MissingHardwarePreset) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"chipp\"\n"),
            "jobs/t.toml:2:12: error: no hardware preset 'chipp' (tried "
            "cfg/hardware/chipp.toml)\n  hint: presets are files cfg/hardware/<name>.toml; to "
            "use another file give a path ending in .toml");
}

TEST(JobErrors, MissingHardwareFile) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"../hw/x.toml\"\n"),
            "jobs/t.toml:2:12: error: cannot read hardware file '../hw/x.toml' (tried "
            "hw/x.toml)\n  hint: a path ending in .toml is relative to the directory of "
            "jobs/t.toml");
}

TEST(JobErrors, HardwareNeitherPresetNorFile) {
  EXPECT_EQ(MemFiles().Error("[job]\nhardware = \"hw/chip\"\n"),
            "jobs/t.toml:2:12: error: job.hardware = \"hw/chip\" is neither a preset name nor a "
            "path ending in .toml\n  hint: name a preset in cfg/hardware/<name>.toml or a file "
            "such as \"my-hardware.toml\"");
}

// Errors inside a hardware file point into that file.
std::string HwErr(std::string hw_text) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", std::move(hw_text));
  return fs.Error("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n");
}

TEST(HardwareErrors, UnknownTable) {
  EXPECT_EQ(HwErr("[arrays]\npe_rows = 8\n"),
            "jobs/hw.toml:1:2: error: unknown table [arrays] in the hardware file\n"
            "  hint: did you mean 'array'? a hardware file has the keys name, description, "
            "technology and the tables [array], [rf], [glb], [bandwidth], [precision], [energy], "
            "[area]");
}

TEST(HardwareErrors, ParameterInWrongTable) {
  EXPECT_EQ(HwErr("[array]\nglb_kib = 64\n"),
            "jobs/hw.toml:2:1: error: 'glb_kib' belongs in [glb], not [array]\n"
            "  hint: move it to [glb]");
}

TEST(HardwareErrors, ParameterAtTopLevel) {
  EXPECT_EQ(HwErr("pe_rows = 8\n"),
            "jobs/hw.toml:1:1: error: 'pe_rows' must be inside [array]\n"
            "  hint: write it under the [array] table");
}

TEST(HardwareErrors, UnknownParameterSuggestsOne) {
  EXPECT_EQ(HwErr("[rf]\nrf_weights_bytes = 64\n"),
            "jobs/hw.toml:2:1: error: unknown key 'rf_weights_bytes' in [rf]\n"
            "  hint: did you mean 'rf_weight_bytes'? [rf] takes: rf_weight_bytes, "
            "rf_input_bytes, rf_psum_bytes");
}

TEST(HardwareErrors, IntGivenAsFloat) {
  EXPECT_EQ(HwErr("[array]\npe_rows = 16.0\n"),
            "jobs/hw.toml:2:11: error: array.pe_rows = 16.0 must be an integer\n"
            "  hint: write 16 without the decimal point");
}

TEST(HardwareErrors, IntForRealIsFine) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", "[bandwidth]\ndram_gbps = 4\n");
  const JobSpec spec =
      fs.Parse("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n");
  EXPECT_EQ(spec.base[model::HwParam::kDramGbps], 4.0);
}

TEST(HardwareErrors, UnknownChoice) {
  EXPECT_EQ(HwErr("[area]\ntarget = \"asci\"\n"),
            "jobs/hw.toml:2:10: error: area.target = \"asci\" is not a valid choice\n"
            "  hint: did you mean 'asic'? valid choices of target: asic, fpga");
}

TEST(HardwareErrors, ValueAboveMaximum) {
  EXPECT_EQ(HwErr("[precision]\nbits_act = 128\n"),
            "jobs/hw.toml:2:12: error: precision.bits_act = 128 is above the maximum 64\n"
            "  hint: bits_act takes whole numbers from 1 to 64");
}

TEST(HardwareErrors, ListInsteadOfValue) {
  EXPECT_EQ(HwErr("[array]\npe_rows = [8, 16]\n"),
            "jobs/hw.toml:2:11: error: array.pe_rows must be an integer, not a list\n"
            "  hint: pe_rows takes whole numbers from 1 to 65536");
}

TEST(HardwareErrors, SyntaxErrorPointsIntoHardwareFile) {
  EXPECT_EQ(HwErr("[array]\npe_rows = = 8\n"),
            "jobs/hw.toml:2:11: error: invalid TOML: Error while parsing value: could not "
            "determine value type\n  hint: fix the syntax (TOML 1.0, "
            "https://toml.io/en/v1.0.0)");
}

TEST(HardwareErrors, MissingTechnologyPreset) {
  EXPECT_EQ(HwErr("technology = \"nope\"\n"),
            "jobs/hw.toml:1:14: error: no technology preset 'nope' (tried cfg/energy/nope.toml)\n"
            "  hint: presets are files cfg/energy/<name>.toml; to use another file give a path "
            "ending in .toml");
}

TEST(HardwareErrors, TechnologyWithoutSource) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", "technology = \"t2.toml\"\n");
  fs.Set("jobs/t2.toml", "name = \"t2\"\n[energy]\ne_mac_pj = 0.5\n");
  EXPECT_EQ(fs.Error("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t2.toml:1:1: error: the technology file has no 'source'\n"
            "  hint: cite where its numbers come from, e.g. source = \"Chen et al., ISCA 2016, "
            "Fig. 4\"");
}

TEST(HardwareErrors, TechnologyWithArrayTable) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", "technology = \"t2.toml\"\n");
  fs.Set("jobs/t2.toml", "source = \"x\"\n[array]\npe_rows = 8\n");
  EXPECT_EQ(fs.Error("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t2.toml:2:2: error: [array] is not allowed in a technology file\n"
            "  hint: a technology file holds only [energy] and [area]; put the other parameters "
            "in the hardware file");
}

TEST(HardwareErrors, TechnologyUnitsMustBeNamed) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", "technology = \"t2.toml\"\n");
  fs.Set("jobs/t2.toml", "source = \"x\"\nunits = \"mJ\"\n");
  EXPECT_EQ(fs.Error("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t2.toml:2:9: error: units = \"mJ\" is neither \"pJ\" nor \"normalized\"\n"
            "  hint: \"pJ\" for absolute energies; \"normalized\" for a relative table (e.g. one "
            "unit = one 16-bit MAC)");
}

// A normalized table cannot be swept against absolute (pJ) models.
TEST(HardwareErrors, NormalizedTableRefusesAbsoluteAxes) {
  MemFiles fs;
  fs.Set("jobs/hw.toml", "technology = \"t2.toml\"\n");
  fs.Set("jobs/t2.toml", "source = \"x\"\nunits = \"normalized\"\n");
  EXPECT_EQ(fs.Error("[job]\nhardware = \"hw.toml\"\n[sweep]\nenergy_model = [\"table\", "
                     "\"physical\"]\n[workload]\nnetworks = [\"alexnet\"]\n"),
            "jobs/t.toml:4:1: error: the sweep axis energy_model takes an absolute (pJ) model "
            "with a normalized technology table\n  hint: the technology table jobs/t2.toml is "
            "in normalized units; use energy_model = \"table\" and dram_type = \"table\" with "
            "it, or name an absolute technology (e.g. technology = \"cmos-65nm\")");
  fs.Set("jobs/hw.toml", "technology = \"t2.toml\"\n[bandwidth]\ndram_type = \"hbm2\"\n");
  const std::string err =
      fs.Error("[job]\nhardware = \"hw.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n");
  EXPECT_NE(err.find("the hardware sets dram_type to an absolute (pJ) model"), std::string::npos)
      << err;
}

TEST(JobErrors, LoadJobMissingFile) {
  MemFiles fs;
  try {
    (void)LoadJob("jobs/nope.toml", fs.Options());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "jobs/nope.toml: error: cannot read the job file\n"
              "  hint: check that the path exists and is readable");
  }
}

// ---- [output] ---------------------------------------------------------------------------

TEST(JobErrors, OutputUnknownColumnSuggestsOne) {
  EXPECT_EQ(Err("[output]\ncolumns = [\"latency_s\", \"energy_jp\"]\n"),
            "jobs/t.toml:6:25: error: output.columns names 'energy_jp', which is not a result "
            "column\n"
            "  hint: did you mean 'energy_pj'? docs/output-format.md lists the result columns");
}

TEST(JobErrors, OutputColumnTwice) {
  EXPECT_EQ(Err("[output]\ncolumns = [\"latency_s\", \"latency_s\"]\n"),
            "jobs/t.toml:6:25: error: output.columns names 'latency_s' twice\n"
            "  hint: keep one of them");
}

TEST(JobErrors, OutputColumnsNotAList) {
  EXPECT_EQ(Err("[output]\ncolumns = \"latency_s\"\n"),
            "jobs/t.toml:6:11: error: output.columns = \"latency_s\" must be a list of result "
            "column names\n"
            "  hint: write columns = [\"latency_s\", \"energy_pj\"]");
}

TEST(JobErrors, OutputColumnsEmpty) {
  EXPECT_EQ(Err("[output]\ncolumns = []\n"),
            "jobs/t.toml:6:11: error: output.columns is empty\n"
            "  hint: name at least one result column, or delete the key to store every column");
}

TEST(JobErrors, OutputBadDtype) {
  EXPECT_EQ(Err("[output]\ndtype = \"float16\"\n"),
            "jobs/t.toml:6:9: error: output.dtype = \"float16\" is not a result dtype\n"
            "  hint: did you mean 'float64'? valid dtypes: float64, float32");
}

TEST(JobErrors, OutputUnknownKey) {
  EXPECT_EQ(Err("[output]\ncolumn = [\"latency_s\"]\n"),
            "jobs/t.toml:6:1: error: unknown key 'column' in [output]\n"
            "  hint: did you mean 'columns'? [output] takes columns and dtype; the results "
            "file's path is output = \"r.h5\" in [job]");
}

TEST(JobErrors, OutputPathAtTopLevelBelongsInJob) {
  EXPECT_EQ(MemFiles().Error("output = \"x.h5\"\n" + std::string(kHead)),
            "jobs/t.toml:1:1: error: 'output' must be inside [job]\n"
            "  hint: write it under the [job] table");
}

}  // namespace
}  // namespace trim::config

namespace trim::config {
namespace {

// ---- [link] -----------------------------------------------------------------------------

std::string LinkErr(std::string_view link) {
  return MemFiles().Error(std::string(kHead) + "[sweep]\npe_rows = [8, 16]\npe_cols = [8, 16]\n" +
                          "glb_kib = [64, 128, 256]\n[link]\n" + std::string(link));
}

TEST(JobErrors, LinkLengthsMustMatch) {
  // square = ["pe_rows", "glb_kib"]
  //                      ^ column 22 (line 10)
  EXPECT_EQ(LinkErr("square = [\"pe_rows\", \"glb_kib\"]\n"),
            "jobs/t.toml:10:22: error: link.square: glb_kib has 3 values but pe_rows has 2\n"
            "  hint: linked axes advance together (their i-th values form one design): give "
            "them the same number of values");
}

TEST(JobErrors, LinkNamesOnlySweptAxes) {
  EXPECT_EQ(LinkErr("square = [\"pe_rows\", \"pe_col\"]\n"),
            "jobs/t.toml:10:22: error: link.square[1] = \"pe_col\" names no axis of [sweep]\n"
            "  hint: did you mean 'pe_cols'? swept axes: pe_rows, pe_cols, glb_kib");
  EXPECT_EQ(LinkErr("square = [\"pe_rows\", \"rf_psum_bytes\"]\n"),
            "jobs/t.toml:10:22: error: link.square[1] = \"rf_psum_bytes\" is not swept\n"
            "  hint: only [sweep] axes can be linked: add rf_psum_bytes = [...] to [sweep], "
            "with as many values as the other axes of the group");
  EXPECT_EQ(LinkErr("square = [\"batch\", \"pe_rows\"]\n"),
            "jobs/t.toml:10:11: error: link.square[0] = \"batch\" is a workload axis\n"
            "  hint: only [sweep] hardware axes can be linked; workload axes always form a "
            "product");
}

TEST(JobErrors, LinkShape) {
  EXPECT_EQ(LinkErr("square = [\"pe_rows\"]\n"),
            "jobs/t.toml:10:10: error: link.square names 1 axis\n"
            "  hint: a link needs two or more [sweep] axes: write [link] square = "
            "[\"pe_rows\", \"pe_cols\"]");
  EXPECT_EQ(LinkErr("square = \"pe_rows\"\n"),
            "jobs/t.toml:10:10: error: link.square must be a list of [sweep] axis names, not "
            "a string\n  hint: write [link] square = [\"pe_rows\", \"pe_cols\"]");
  EXPECT_EQ(LinkErr("square = [\"pe_rows\", \"pe_rows\"]\n"),
            "jobs/t.toml:10:22: error: link.square[1] repeats \"pe_rows\"\n"
            "  hint: name each axis once");
  EXPECT_EQ(LinkErr("a = [\"pe_rows\", \"pe_cols\"]\nb = [\"pe_cols\", \"pe_rows\"]\n"),
            "jobs/t.toml:11:6: error: link.b[0]: \"pe_cols\" is already linked in link.a\n"
            "  hint: an axis belongs to at most one link; put all the axes that advance "
            "together in one list");
}

}  // namespace
}  // namespace trim::config
