// A minimal SVG 1.1 writer for the forecast charts: shapes, polylines and text
// in user units, with every attribute value and text escaped for XML.
//
//   SvgWriter svg(640, 360);
//   svg.Text(20, 30, "CPI inflation", {.size = 16});
//   std::string document = svg.Finish();
//
// Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace macropipe::forecast {

// Replaces the five characters XML reserves (& < > " ') with their entities.
std::string EscapeXml(std::string_view text);

struct SvgPoint {
  double x = 0;
  double y = 0;
};

struct SvgStroke {
  std::string color = "black";
  double width = 1;
  std::string dash;  // An SVG stroke-dasharray such as "4 2"; empty for solid.
};

struct SvgTextStyle {
  double size = 12;
  std::string anchor = "start";  // start, middle or end.
  std::string color = "black";
};

class SvgWriter {
 public:
  SvgWriter(double width, double height);

  void Rect(double x, double y, double width, double height, const std::string& fill,
            double opacity = 1.0);
  void Line(SvgPoint from, SvgPoint to, const SvgStroke& stroke);
  void Polyline(const std::vector<SvgPoint>& points, const SvgStroke& stroke);
  void Polygon(const std::vector<SvgPoint>& points, const std::string& fill, double opacity);
  void Text(double x, double y, std::string_view text, const SvgTextStyle& style);

  // Returns the document with its XML declaration and closing tag.
  std::string Finish() const;

 private:
  void Element(std::string_view name,
               const std::vector<std::pair<std::string, std::string>>& attributes);
  static std::string Points(const std::vector<SvgPoint>& points);

  double width_;
  double height_;
  std::string body_;
};

// Formats a coordinate with at most two decimals, as SVG readers accept.
std::string SvgNumber(double value);

}  // namespace macropipe::forecast
