// The plotting module (checker/src/common/plot.hpp): nice ticks on linear and log axes, escaped
// text, window means, and a figure's SVG: well-formed (every tag closed, in order), one group
// per series with the points inside the frame, markers, legend, levels. The rendering check
// (rsvg-convert) and the pictures the checker draws are in tests/plot_test.py.
#include "common/plot.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace bpdojo;
using namespace bpdojo::plot;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// The tags of an XML document balance (a small reader: enough for what svg() writes).
bool balanced(const std::string& s, std::string& why) {
  std::vector<std::string> open;
  for (std::size_t at = s.find('<'); at != std::string::npos; at = s.find('<', at + 1)) {
    const std::size_t end = s.find('>', at);
    if (end == std::string::npos) return why = "unclosed <", false;
    const std::string tag = s.substr(at + 1, end - at - 1);
    if (tag.empty()) return why = "empty tag", false;
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag.find('<') != std::string::npos) return why = "< inside a tag: " + tag, false;
    if (tag.back() == '/') continue;
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" \t\n", 0) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] != '/') {
      open.push_back(name);
    } else {
      if (open.empty() || open.back() != name) return why = "</" + name + "> closes " + (open.empty() ? "nothing" : open.back()), false;
      open.pop_back();
    }
  }
  if (!open.empty()) return why = "<" + open.back() + "> never closed", false;
  return true;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_SUITE_BEGIN("unit");

TEST_CASE("plot: linear ticks are 1, 2 or 5 times a power of ten, and the widened range ends on ticks") {
  Ticks t = axis_ticks(0, 20000, Scale::Linear, true, 8);
  CHECK(t.labels == std::vector<std::string>{"0", "2000", "4000", "6000", "8000", "10000", "12000", "14000", "16000", "18000", "20000"});
  t = axis_ticks(-0.13, 0.92, Scale::Linear, true, 6);
  CHECK(t.lo == doctest::Approx(-0.2));
  CHECK(t.hi == doctest::Approx(1.0));
  CHECK(t.labels.front() == "-0.2");
  CHECK(t.labels.back() == "1.0");
  CHECK(t.at.size() == 7);
  // Not widened: only the ticks inside the range.
  t = axis_ticks(0.13, 0.92, Scale::Linear, false, 6);
  CHECK(t.lo == 0.13);
  CHECK(t.labels.front() == "0.2");
  CHECK(t.labels.back() == "0.9");
  // A single value still gets a range.
  t = axis_ticks(3, 3, Scale::Linear, true);
  CHECK(t.lo < 3);
  CHECK(t.hi > 3);
  CHECK(t.at.size() >= 2);
}

TEST_CASE("plot: log ticks are decades over several, 1-2-5 over one or two, evenly spaced values within one") {
  Ticks t = axis_ticks(3e-11, 0.07, Scale::Log, true);
  CHECK(t.lo == doctest::Approx(1e-11));
  CHECK(t.hi == doctest::Approx(0.1));
  CHECK(t.labels.front() == "1e-11");
  CHECK(t.labels.back() == "1e-1");
  CHECK(t.at.size() == 11);
  t = axis_ticks(0.01, 100, Scale::Log, true);
  CHECK(t.labels == std::vector<std::string>{"0.01", "0.1", "1", "10", "100"});
  t = axis_ticks(1e-17, 1, Scale::Log, true);  // many decades: every second
  CHECK(t.at.size() <= 12);
  CHECK(t.labels.back() == "1e0");
  t = axis_ticks(0.6, 20, Scale::Log, true);
  CHECK(t.labels == std::vector<std::string>{"0.5", "1", "2", "5", "10", "20"});
  t = axis_ticks(2.08, 3.63, Scale::Log, true);  // exercise 08's losses
  CHECK(t.lo == doctest::Approx(2.0));
  CHECK(t.hi == doctest::Approx(3.8));
  CHECK(t.labels.front() == "2.0");
  CHECK(t.labels.back() == "3.8");
  // Never a tick at 0 or below on a log axis.
  t = axis_ticks(0.05, 0.3, Scale::Log, true);
  CHECK(t.lo > 0);
  for (double v : t.at) CHECK(v > 0);
  // Across double's whole range (a hostile runner's values): both ends finite and above 0.
  t = axis_ticks(1e-308, 1e308, Scale::Log, true);
  CHECK(t.lo > 0);
  CHECK(std::isfinite(t.hi));
  CHECK(t.hi >= 1e308);
  for (double v : t.at) CHECK((v > 0 && std::isfinite(v)));
}

TEST_CASE("plot: text is escaped and window means average what they cover") {
  CHECK(escape("a<b & \"c\" > 'd'") == "a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos;");
  CHECK(escape(std::string("x\x01y\x1bz")) == "xyz");
  const Windowed w = window_means({1, 2, 3, 4, 5, 6, 7}, 3);
  CHECK(w.mean == std::vector<double>{2, 5, 7});
  CHECK(w.at == std::vector<double>{1, 4, 6});
  CHECK(std::isnan(window_means({1, kNaN, 3}, 2).mean[0]));
  CHECK(window_means({1, 2}, 0).mean.size() == 2);  // a window of at least 1
}

TEST_CASE("plot: a figure's SVG is well-formed, self-contained, with one group per series inside the frame") {
  Figure f;
  f.title = "loss <after> & \"before\"";
  f.x.title = "step";
  f.y.title = "loss";
  f.y.scale = Scale::Log;
  Series a{"train", {0, 1000, 2000}, {3.3, 2.5, 2.2}};
  a.points = true;
  Series b{"dev", {0, 1000, 2000}, {3.3, kNaN, 2.3}};  // a gap, then a lone point
  Series c{"", {0, 500}, {-1, 2.8}};                  // not listed; -1 is off a log axis
  f.series = {a, b, c};
  f.markers = {{1000, "lr 0.1 -> 0.01"}, {99999, "out of range"}};
  const std::string s = svg(f);
  std::string why;
  CHECK_MESSAGE(balanced(s, why), why);
  CHECK(s.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(s.find("<script") == std::string::npos);
  CHECK(s.find("href") == std::string::npos);
  CHECK(s.find("loss &lt;after&gt; &amp; &quot;before&quot;") != std::string::npos);
  CHECK(s.find("lr 0.1 -&gt; 0.01") != std::string::npos);
  CHECK(count(s, "<g class=\"series\"") == 3);
  CHECK(count(s, "<g class=\"marker\"") == 1);
  CHECK(count(s, "<polyline") == 1);  // train's; dev is two lone points, c one
  CHECK(count(s, "<g class=\"tick x\"") >= 3);
  CHECK(count(s, "<g class=\"tick y\"") >= 3);
  CHECK(s.find("<g class=\"legend\"") != std::string::npos);
  CHECK(s.find(">train</text>") != std::string::npos);
  CHECK(s.find(">dev</text>") != std::string::npos);
  // Every colour from the palette.
  CHECK(s.find(kPalette[0]) != std::string::npos);
  CHECK(s.find(kPalette[1]) != std::string::npos);
  // A series kept out of the legend still has its group and its <title>.
  Series d{"reference", {0, 2000}, {3.0, 2.0}};
  d.in_legend = false;
  f.series.push_back(d);
  const std::string s2 = svg(f);
  CHECK(count(s2, "<g class=\"series\"") == 4);
  CHECK(s2.find("<title>reference</title>") != std::string::npos);
  CHECK(s2.find(">reference</text>") == std::string::npos);
}

TEST_CASE("plot: levels draw filled bands and contour lines under the series") {
  Figure f;
  Levels L;
  for (int i = 0; i <= 10; ++i) L.x.push_back(-1 + 0.2 * i), L.y.push_back(-1 + 0.2 * i);
  for (double y : L.y) {
    std::vector<double> row;
    for (double x : L.x) row.push_back(x * x + 4 * y * y);
    L.z.push_back(row);
  }
  L.levels = {0.25, 1, 2};
  f.levels = L;
  f.series = {Series{"path", {-0.8, -0.3, 0}, {0.6, 0.2, 0}}};
  const std::string s = svg(f);
  std::string why;
  CHECK_MESSAGE(balanced(s, why), why);
  CHECK(count(s, "<path class=\"contour\"") == 3);
  CHECK(count(s, "<rect") >= 100 + 3);  // the cells, the background, the clip, the frame
  CHECK(s.find("<g class=\"levels\"") < s.find("<g class=\"series\""));
}
