// Backprop Dojo checker: the one module that draws the workbook's pictures, as self-contained SVG.
//
// A Figure is a title, two axes (each linear or logarithmic, with "nice" ticks: steps of 1, 2 or 5
// times a power of ten; whole decades on a logarithmic axis that spans several), light grid lines,
// series drawn as lines and/or points, vertical markers with a label (a learning-rate decay), a
// legend, and optionally a field of levels under everything (filled bands and contour lines, for
// optimiser paths over a loss surface). Colours come from the Okabe-Ito palette, which stays
// distinguishable under the common colour-vision deficiencies.
//
// The SVG uses plain elements and presentation attributes only: no scripts, no CSS, no external
// references (one clip path, referenced by id within the document), every text XML-escaped, so it
// looks the same in a browser and in librsvg (rsvg-convert). Its structure is meant to be read back
// by tests: each series is a <g class="series"> whose <title> is its name; each tick is a
// <g class="tick x|y"> holding its grid line and its label; markers are <g class="marker">.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo::plot {

enum class Scale { Linear, Log };

struct Axis {
  std::string title;
  Scale scale = Scale::Linear;
  std::optional<double> min, max;  // the range; by default the data's, widened to ticks
  bool reversed = false;           // larger values to the left (or the bottom)
};

// The Okabe-Ito palette, without its black: orange, sky blue, bluish green, yellow, blue,
// vermillion, reddish purple.
inline constexpr const char* kPalette[] = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"};
inline constexpr int kPaletteSize = 7;

struct Series {
  std::string name;                    // in the legend (empty: not listed) and in the <title>
  std::vector<double> x, y;            // the same length; a non-finite point (or <= 0 on a log axis) breaks the line
  bool line = true, points = false;    // a polyline through the points, a dot at each
  int colour = -1;                     // an index into kPalette; -1: the next unused one
  double width = 2.0;                  // stroke width
  double opacity = 1.0;
  bool dashed = false;
  bool in_legend = true;               // false: named in its <title> alone (a curve the title explains)
};

// A vertical line across the plot at `x`, with its label at the top.
struct Marker {
  double x = 0.0;
  std::string label;
};

// Values z(x, y) on a grid (z[i][j] at x[j], y[i]) drawn under the series: with `filled`, each grid
// cell is coloured by the band of `levels` its value falls in (light to dark); contour lines at
// each level, by marching squares.
struct Levels {
  std::vector<double> x, y;
  std::vector<std::vector<double>> z;  // y.size() rows of x.size() values
  std::vector<double> levels;          // increasing
  bool filled = true, lines = true;
};

struct Figure {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  std::vector<Marker> markers;
  std::optional<Levels> levels;
  double width = 640, height = 400;
  bool legend = true;
  enum class Corner { TopRight, TopLeft, BottomRight, BottomLeft } legend_at = Corner::TopRight;
  std::string id = "plot";  // prefix of the ids inside the SVG (unique when several share a page)
};

std::string svg(const Figure& figure);

// The ticks of an axis over [lo, hi] (lo <= hi, both > 0 on a log axis): about `target` values of
// 1, 2 or 5 times a power of ten, whole decades on a log axis spanning two or more (every second
// or third when there are many), 1-2-5 in each decade on a log axis spanning one to two. With
// `widen`, the range is first moved out to the neighbouring ticks (so both ends carry a label;
// a log axis narrower than a decade keeps a lower end that its step would take to 0 or below).
struct Ticks {
  double lo = 0, hi = 1;            // the axis' range
  std::vector<double> at;           // increasing, within [lo, hi]
  std::vector<std::string> labels;  // one per tick: "0.5", "2.25", "150000", "1e-7"
};
Ticks axis_ticks(double lo, double hi, Scale scale, bool widen, int target = 6);
// &, <, >, " and ' as entities; control characters other than tab and newline dropped.
std::string escape(std::string_view text);

// Means of `values` over consecutive windows of `window` (the last one may be shorter): the
// window's mean and its middle position (index + (count - 1) / 2). A window holding a non-finite
// value has a NaN mean.
struct Windowed {
  std::vector<double> at, mean;
};
Windowed window_means(const std::vector<double>& values, std::size_t window);

}  // namespace bpdojo::plot
