#include "trim/sched/messages.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <sstream>

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, trim::IndexRange& r, const unsigned int /*version*/) {
  ar& r.begin& r.end;
}
template <class Archive>
void serialize(Archive& ar, trim::sched::WorkRequest& m, const unsigned int /*version*/) {
  ar& m.points_done& m.stopping;
}
template <class Archive>
void serialize(Archive& ar, trim::sched::WorkAssign& m, const unsigned int /*version*/) {
  ar& m.ranges& m.stop;
}
template <class Archive>
void serialize(Archive& ar, trim::sched::BestEntry& m, const unsigned int /*version*/) {
  ar& m.network& m.index& m.value;
}

template <class Archive>
void serialize(Archive& ar, trim::sched::JobBundle& m, const unsigned int /*version*/) {
  ar& m.job_path& m.files& m.error& m.exit_code;
}

}  // namespace boost::serialization

BOOST_CLASS_VERSION(trim::sched::WorkRequest, 1)
BOOST_CLASS_VERSION(trim::sched::WorkAssign, 1)
BOOST_CLASS_VERSION(trim::sched::BestEntry, 1)
BOOST_CLASS_VERSION(trim::sched::JobBundle, 1)

namespace trim::sched {
namespace {

template <typename T>
std::string Pack(const T& m) {
  std::ostringstream os(std::ios::binary);
  {
    boost::archive::binary_oarchive oa(os, boost::archive::no_header);
    oa << m;
  }
  return os.str();
}

template <typename T>
T Unpack(const std::string& bytes) {
  std::istringstream is(bytes, std::ios::binary);
  boost::archive::binary_iarchive ia(is, boost::archive::no_header);
  T m;
  ia >> m;
  return m;
}

}  // namespace

std::string Encode(const WorkRequest& m) { return Pack(m); }
std::string Encode(const WorkAssign& m) { return Pack(m); }
std::string Encode(const std::vector<BestEntry>& m) { return Pack(m); }
WorkRequest DecodeRequest(const std::string& bytes) { return Unpack<WorkRequest>(bytes); }
WorkAssign DecodeAssign(const std::string& bytes) { return Unpack<WorkAssign>(bytes); }
std::string Encode(const JobBundle& m) { return Pack(m); }
JobBundle DecodeBundle(const std::string& bytes) { return Unpack<JobBundle>(bytes); }
std::vector<BestEntry> DecodeBest(const std::string& bytes) {
  return Unpack<std::vector<BestEntry>>(bytes);
}

}  // namespace trim::sched
