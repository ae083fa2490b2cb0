#include "common/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace bpdojo::plot {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return std::string(buf) == "-0.00" ? "0.00" : buf;
}

std::string attr(const char* name, double v) { return std::string(" ") + name + "=\"" + num(v) + "\""; }

// 1, 2 or 5 times a power of ten, near `raw`.
double nice_step(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * mag;
}

// `v` in fixed notation with as many decimals as `step` needs.
std::string fixed_for(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos) s = decimals ? "0." + std::string(static_cast<std::size_t>(decimals), '0') : "0";
  return s;
}

// m times 10^k (m in 1..9): plain when k is in -4..5, else "me-7".
std::string power_label(double v) {
  const int k = static_cast<int>(std::floor(std::log10(v) + 1e-9));
  const double m = std::round(v / std::pow(10.0, k));
  if (k >= -4 && k <= 5) return fixed_for(v, std::pow(10.0, k));
  return std::to_string(static_cast<int>(m)) + "e" + std::to_string(k);
}

void linear_ticks(Ticks& t, int target) {
  const double step = nice_step((t.hi - t.lo) / std::max(1, target));
  const double eps = 1e-9;
  double klo = std::ceil(t.lo / step - eps), khi = std::floor(t.hi / step + eps);
  for (double k = klo; k <= khi; k += 1) {
    const double v = k * step;
    t.at.push_back(v == 0 ? 0.0 : v);
    t.labels.push_back(fixed_for(v, step));
  }
}

bool usable(double v, Scale s) { return std::isfinite(v) && (s == Scale::Linear || v > 0); }

// The data's range along one axis.
void extend(double& lo, double& hi, double v, Scale s) {
  if (usable(v, s)) lo = std::min(lo, v), hi = std::max(hi, v);
}

struct Mapping {
  double lo, hi, p0, p1;  // data range onto pixels p0..p1
  Scale scale;
  bool reversed;
  double operator()(double v) const {
    double t = scale == Scale::Log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    if (reversed) t = 1 - t;
    return p0 + t * (p1 - p0);
  }
};

// A light-to-dark blue for band b of n (ColorBrewer's Blues, interpolated).
std::string band_colour(std::size_t b, std::size_t n) {
  const double t = n <= 1 ? 0.0 : static_cast<double>(b) / static_cast<double>(n - 1);
  const double from[3] = {247, 251, 255}, to[3] = {33, 113, 181};
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02X%02X%02X", static_cast<int>(std::lround(from[0] + t * (to[0] - from[0]))),
                static_cast<int>(std::lround(from[1] + t * (to[1] - from[1]))),
                static_cast<int>(std::lround(from[2] + t * (to[2] - from[2]))));
  return buf;
}

std::string draw_levels(const Levels& L, const Mapping& mx, const Mapping& my, const std::string& clip) {
  std::string s = "<g class=\"levels\" clip-path=\"url(#" + clip + ")\">\n";
  const std::size_t R = std::min(L.y.size(), L.z.size());
  auto z = [&](std::size_t i, std::size_t j) { return j < L.z[i].size() ? L.z[i][j] : std::numeric_limits<double>::quiet_NaN(); };
  if (L.filled && !L.levels.empty()) {
    for (std::size_t i = 0; i + 1 < R; ++i)
      for (std::size_t j = 0; j + 1 < L.x.size(); ++j) {
        const double v = (z(i, j) + z(i, j + 1) + z(i + 1, j) + z(i + 1, j + 1)) / 4;
        if (!std::isfinite(v)) continue;
        const auto band = static_cast<std::size_t>(std::upper_bound(L.levels.begin(), L.levels.end(), v) - L.levels.begin());
        const double x0 = mx(L.x[j]), x1 = mx(L.x[j + 1]), y0 = my(L.y[i]), y1 = my(L.y[i + 1]);
        s += "<rect" + attr("x", std::min(x0, x1)) + attr("y", std::min(y0, y1)) + attr("width", std::abs(x1 - x0) + 0.5) +
             attr("height", std::abs(y1 - y0) + 0.5) + " fill=\"" + band_colour(band, L.levels.size() + 1) + "\"/>\n";
      }
  }
  if (L.lines)
    for (double level : L.levels) {
      std::string d;
      for (std::size_t i = 0; i + 1 < R; ++i)
        for (std::size_t j = 0; j + 1 < L.x.size(); ++j) {
          // Corners in order around the cell, and where the level crosses each edge.
          const double cx[4] = {L.x[j], L.x[j + 1], L.x[j + 1], L.x[j]}, cy[4] = {L.y[i], L.y[i], L.y[i + 1], L.y[i + 1]};
          const double cz[4] = {z(i, j), z(i, j + 1), z(i + 1, j + 1), z(i + 1, j)};
          double px[4], py[4];
          int n = 0;
          for (int e = 0; e < 4; ++e) {
            const double a = cz[e], b = cz[(e + 1) % 4];
            if (!std::isfinite(a) || !std::isfinite(b) || (a < level) == (b < level)) continue;
            const double f = (level - a) / (b - a);
            px[n] = mx(cx[e] + f * (cx[(e + 1) % 4] - cx[e]));
            py[n] = my(cy[e] + f * (cy[(e + 1) % 4] - cy[e]));
            ++n;
          }
          for (int k = 0; k + 1 < n; k += 2) d += "M" + num(px[k]) + "," + num(py[k]) + "L" + num(px[k + 1]) + "," + num(py[k + 1]);
        }
      if (!d.empty()) s += "<path class=\"contour\" fill=\"none\" stroke=\"#08306B\" stroke-opacity=\"0.5\" stroke-width=\"0.8\" d=\"" + d + "\"/>\n";
    }
  return s + "</g>\n";
}

std::string draw_series(const Series& se, const std::string& colour, const Figure& f, const Mapping& mx, const Mapping& my,
                        const std::string& clip) {
  std::string s = "<g class=\"series\" clip-path=\"url(#" + clip + ")\"><title>" + escape(se.name) + "</title>\n";
  const std::string look = " stroke=\"" + colour + "\"" + attr("stroke-width", se.width) +
                           (se.opacity < 1 ? attr("stroke-opacity", se.opacity) : "") +
                           (se.dashed ? " stroke-dasharray=\"6 4\"" : "");
  const std::size_t n = std::min(se.x.size(), se.y.size());
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    if (se.line && run.size() >= 2) {
      s += "<polyline fill=\"none\" stroke-linejoin=\"round\"" + look + " points=\"";
      for (std::size_t i = 0; i < run.size(); ++i) s += (i ? " " : "") + num(run[i].first) + "," + num(run[i].second);
      s += "\"/>\n";
    } else if (se.line && !se.points && run.size() == 1) {  // an isolated point of a line: still visible
      s += "<circle" + attr("cx", run[0].first) + attr("cy", run[0].second) + attr("r", se.width) + " fill=\"" + colour + "\"/>\n";
    }
    run.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!usable(se.x[i], f.x.scale) || !usable(se.y[i], f.y.scale)) {
      flush();
      continue;
    }
    run.emplace_back(mx(se.x[i]), my(se.y[i]));
    if (se.points)
      s += "<circle" + attr("cx", run.back().first) + attr("cy", run.back().second) + attr("r", 1.5 + se.width) + " fill=\"" +
           colour + "\"" + (se.opacity < 1 ? attr("fill-opacity", se.opacity) : "") + "/>\n";
  }
  flush();
  return s + "</g>\n";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

Ticks axis_ticks(double lo, double hi, Scale scale, bool widen, int target) {
  Ticks t;
  if (scale == Scale::Log) {
    if (!(lo > 0) || !std::isfinite(lo)) lo = 1;
    if (!(hi >= lo) || !std::isfinite(hi)) hi = lo;
    if (hi / lo < 1.0 + 1e-9) lo /= 1.5, hi *= 1.5;
  } else {
    if (!std::isfinite(lo)) lo = 0;
    if (!(hi >= lo) || !std::isfinite(hi)) hi = lo;
    if (hi - lo <= 1e-12 * std::max(1.0, std::abs(lo))) {
      const double d = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
      lo -= d, hi += d;
    }
  }
  t.lo = lo, t.hi = hi;
  if (scale == Scale::Linear) {
    if (widen) {
      const double step = nice_step((hi - lo) / std::max(1, target));
      t.lo = std::floor(lo / step + 1e-9) * step, t.hi = std::ceil(hi / step - 1e-9) * step;
    }
    linear_ticks(t, target);
    return t;
  }
  const double llo = std::log10(lo), lhi = std::log10(hi);
  if (lhi - llo >= 2) {  // whole decades, every d-th
    const double d = std::max(1.0, std::ceil((std::ceil(lhi) - std::floor(llo)) / 12.0));
    double klo = std::ceil(llo / d - 1e-9) * d, khi = std::floor(lhi / d + 1e-9) * d;
    if (widen) {
      klo = std::floor(llo / d + 1e-9) * d, khi = std::ceil(lhi / d - 1e-9) * d, t.lo = std::pow(10.0, klo), t.hi = std::pow(10.0, khi);
      // Near the ends of double's range a widened end can round to 0 or overflow: keep the data's.
      if (!(t.lo > 0)) t.lo = lo, klo = std::ceil(llo / d - 1e-9) * d;
      if (!std::isfinite(t.hi)) t.hi = hi, khi = std::floor(lhi / d + 1e-9) * d;
    }
    const bool plain = klo >= -3 && khi <= 4;  // else every label 1eK, alike
    for (double k = klo; k <= khi + 1e-9; k += d) {
      t.at.push_back(std::pow(10.0, k));
      t.labels.push_back(plain ? power_label(t.at.back()) : "1e" + std::to_string(static_cast<int>(k)));
    }
    return t;
  }
  if (lhi - llo >= 1) {  // 1, 2 and 5 in each decade
    std::vector<double> candidates;
    for (double k = std::floor(llo) - 1; k <= std::ceil(lhi) + 1; k += 1)
      for (double m : {1.0, 2.0, 5.0}) candidates.push_back(m * std::pow(10.0, k));
    if (widen) {
      double below = lo, above = hi;
      bool found = false;
      for (double c : candidates) {
        if (c <= lo * (1 + 1e-9)) below = c;
        if (c >= hi * (1 - 1e-9) && !found) above = c, found = true;
      }
      t.lo = below, t.hi = above;
    }
    for (double c : candidates)
      if (c >= t.lo * (1 - 1e-9) && c <= t.hi * (1 + 1e-9)) t.at.push_back(c), t.labels.push_back(power_label(c));
    return t;
  }
  // Less than a decade: evenly spaced values, which a log axis draws closer together upwards.
  const double step = nice_step((hi - lo) / std::max(1, target));
  if (widen) {
    const double down = std::floor(lo / step + 1e-9) * step;
    t.lo = down > 0 ? down : lo;
    t.hi = std::ceil(hi / step - 1e-9) * step;
  }
  linear_ticks(t, target);
  return t;
}

Windowed window_means(const std::vector<double>& values, std::size_t window) {
  Windowed w;
  window = std::max<std::size_t>(1, window);
  for (std::size_t start = 0; start < values.size(); start += window) {
    const std::size_t end = std::min(values.size(), start + window);
    double sum = 0;
    for (std::size_t i = start; i < end; ++i) sum += values[i];
    w.at.push_back(static_cast<double>(start) + static_cast<double>(end - start - 1) / 2.0);
    w.mean.push_back(std::isfinite(sum) ? sum / static_cast<double>(end - start) : std::numeric_limits<double>::quiet_NaN());
  }
  return w;
}

std::string svg(const Figure& f) {
  const double W = f.width, H = f.height;
  const double left = 72, right = 20, top = f.title.empty() ? 16 : 36, bottom = f.x.title.empty() ? 30 : 50;
  const double px0 = left, px1 = W - right, py0 = top, py1 = H - bottom;

  // The ranges: the data's (series, levels, markers), unless given.
  const double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
  for (const auto& se : f.series)
    for (std::size_t i = 0; i < std::min(se.x.size(), se.y.size()); ++i)
      if (usable(se.x[i], f.x.scale) && usable(se.y[i], f.y.scale)) extend(xlo, xhi, se.x[i], f.x.scale), extend(ylo, yhi, se.y[i], f.y.scale);
  if (f.levels) {
    for (double v : f.levels->x) extend(xlo, xhi, v, f.x.scale);
    for (double v : f.levels->y) extend(ylo, yhi, v, f.y.scale);
  }
  if (f.x.min) xlo = *f.x.min;
  if (f.x.max) xhi = *f.x.max;
  if (f.y.min) ylo = *f.y.min;
  if (f.y.max) yhi = *f.y.max;
  const Ticks tx = axis_ticks(xlo, xhi, f.x.scale, !f.x.min && !f.x.max, 8);
  const Ticks ty = axis_ticks(ylo, yhi, f.y.scale, !f.y.min && !f.y.max, 6);
  const Mapping mx{tx.lo, tx.hi, px0, px1, f.x.scale, f.x.reversed};
  const Mapping my{ty.lo, ty.hi, py1, py0, f.y.scale, f.y.reversed};
  const std::string clip = escape(f.id) + "-area";

  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"" +
                  attr("width", W) + attr("height", H) + " viewBox=\"0 0 " + num(W) + " " + num(H) +
                  "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"12\" fill=\"#222222\">\n";
  s += "<title>" + escape(f.title) + "</title>\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  // (The clip leaves room for a dot on the frame.)
  s += "<defs><clipPath id=\"" + clip + "\"><rect" + attr("x", px0 - 6) + attr("y", py0 - 6) + attr("width", px1 - px0 + 12) +
       attr("height", py1 - py0 + 12) + "/></clipPath></defs>\n";
  if (f.levels) s += draw_levels(*f.levels, mx, my, clip);

  // Ticks: a grid line across the plot and a label outside it.
  for (std::size_t i = 0; i < tx.at.size(); ++i) {
    const double x = mx(tx.at[i]);
    s += "<g class=\"tick x\"><line" + attr("x1", x) + attr("y1", py0) + attr("x2", x) + attr("y2", py1) +
         " stroke=\"#E5E5E5\"/><line" + attr("x1", x) + attr("y1", py1) + attr("x2", x) + attr("y2", py1 + 4) +
         " stroke=\"#444444\"/><text" + attr("x", x) + attr("y", py1 + 17) + " text-anchor=\"middle\">" + escape(tx.labels[i]) +
         "</text></g>\n";
  }
  for (std::size_t i = 0; i < ty.at.size(); ++i) {
    const double y = my(ty.at[i]);
    s += "<g class=\"tick y\"><line" + attr("x1", px0) + attr("y1", y) + attr("x2", px1) + attr("y2", y) +
         " stroke=\"#E5E5E5\"/><line" + attr("x1", px0 - 4) + attr("y1", y) + attr("x2", px0) + attr("y2", y) +
         " stroke=\"#444444\"/><text" + attr("x", px0 - 7) + attr("y", y + 4) + " text-anchor=\"end\">" + escape(ty.labels[i]) +
         "</text></g>\n";
  }
  s += "<rect class=\"frame\"" + attr("x", px0) + attr("y", py0) + attr("width", px1 - px0) + attr("height", py1 - py0) +
       " fill=\"none\" stroke=\"#444444\"/>\n";

  for (const auto& m : f.markers) {
    if (!usable(m.x, f.x.scale) || m.x < std::min(tx.lo, tx.hi) || m.x > std::max(tx.lo, tx.hi)) continue;
    const double x = mx(m.x);
    const bool room = x + 8 + 6.5 * static_cast<double>(m.label.size()) < px1;
    s += "<g class=\"marker\"><line" + attr("x1", x) + attr("y1", py0) + attr("x2", x) + attr("y2", py1) +
         " stroke=\"#555555\" stroke-dasharray=\"4 3\"/><text" + attr("x", room ? x + 4 : x - 4) + attr("y", py0 + 14) +
         " font-size=\"11\" fill=\"#444444\" text-anchor=\"" + (room ? "start" : "end") + "\">" + escape(m.label) + "</text></g>\n";
  }

  // Series, each in the next colour of the palette unless it names one.
  std::vector<std::string> colours;
  int next = 0;
  for (const auto& se : f.series) {
    const int c = se.colour >= 0 ? se.colour % kPaletteSize : next++ % kPaletteSize;
    colours.push_back(kPalette[c]);
    s += draw_series(se, colours.back(), f, mx, my, clip);
  }

  if (f.legend) {
    std::vector<std::size_t> listed;
    std::size_t longest = 0;
    for (std::size_t i = 0; i < f.series.size(); ++i)
      if (!f.series[i].name.empty() && f.series[i].in_legend) listed.push_back(i), longest = std::max(longest, f.series[i].name.size());
    if (!listed.empty()) {
      const double w = 40 + 6.8 * static_cast<double>(longest), h = 8 + 18.0 * static_cast<double>(listed.size());
      const bool at_right = f.legend_at == Figure::Corner::TopRight || f.legend_at == Figure::Corner::BottomRight;
      const bool at_top = f.legend_at == Figure::Corner::TopRight || f.legend_at == Figure::Corner::TopLeft;
      const double lx = at_right ? px1 - w - 8 : px0 + 8, ly = at_top ? py0 + 22 : py1 - h - 8;
      s += "<g class=\"legend\"><rect" + attr("x", lx) + attr("y", ly) + attr("width", w) + attr("height", h) +
           " fill=\"white\" fill-opacity=\"0.85\" stroke=\"#CCCCCC\"/>\n";
      for (std::size_t k = 0; k < listed.size(); ++k) {
        const Series& se = f.series[listed[k]];
        const double y = ly + 13 + 18.0 * static_cast<double>(k);
        if (se.line)
          s += "<line" + attr("x1", lx + 6) + attr("y1", y) + attr("x2", lx + 28) + attr("y2", y) + " stroke=\"" + colours[listed[k]] +
               "\"" + attr("stroke-width", std::max(2.0, se.width)) + (se.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
        if (se.points) s += "<circle" + attr("cx", lx + 17) + attr("cy", y) + attr("r", 3.5) + " fill=\"" + colours[listed[k]] + "\"/>";
        s += "<text" + attr("x", lx + 34) + attr("y", y + 4) + ">" + escape(se.name) + "</text>\n";
      }
      s += "</g>\n";
    }
  }

  if (!f.title.empty())
    s += "<text class=\"title\"" + attr("x", W / 2) + attr("y", 22) + " text-anchor=\"middle\" font-size=\"14\">" + escape(f.title) + "</text>\n";
  if (!f.x.title.empty())
    s += "<text class=\"axis-title x\"" + attr("x", (px0 + px1) / 2) + attr("y", H - 12) + " text-anchor=\"middle\">" + escape(f.x.title) + "</text>\n";
  if (!f.y.title.empty())
    s += "<text class=\"axis-title y\" x=\"0\" y=\"0\" transform=\"translate(16 " + num((py0 + py1) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(f.y.title) + "</text>\n";
  return s + "</svg>\n";
}

}  // namespace bpdojo::plot
