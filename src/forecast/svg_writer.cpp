#include "forecast/svg_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace macropipe::forecast {

std::string EscapeXml(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        // Control characters other than tab and newlines are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          escaped += ' ';
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

std::string SvgNumber(double value) {
  if (!std::isfinite(value)) return "0";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

SvgWriter::SvgWriter(double width, double height) : width_(width), height_(height) {}

void SvgWriter::Element(std::string_view name,
                        const std::vector<std::pair<std::string, std::string>>& attributes) {
  body_ += "  <";
  body_ += name;
  for (const auto& [key, value] : attributes) {
    body_ += " " + key + "=\"" + EscapeXml(value) + "\"";
  }
  body_ += "/>\n";
}

std::string SvgWriter::Points(const std::vector<SvgPoint>& points) {
  std::string text;
  for (const SvgPoint& point : points) {
    if (!text.empty()) text += ' ';
    text += SvgNumber(point.x) + "," + SvgNumber(point.y);
  }
  return text;
}

void SvgWriter::Rect(double x, double y, double width, double height, const std::string& fill,
                     double opacity) {
  Element("rect", {{"x", SvgNumber(x)},
                   {"y", SvgNumber(y)},
                   {"width", SvgNumber(std::max(0.0, width))},
                   {"height", SvgNumber(std::max(0.0, height))},
                   {"fill", fill},
                   {"fill-opacity", SvgNumber(opacity)}});
}

void SvgWriter::Line(SvgPoint from, SvgPoint to, const SvgStroke& stroke) {
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"x1", SvgNumber(from.x)}, {"y1", SvgNumber(from.y)},
      {"x2", SvgNumber(to.x)},   {"y2", SvgNumber(to.y)},
      {"stroke", stroke.color},  {"stroke-width", SvgNumber(stroke.width)}};
  if (!stroke.dash.empty()) attributes.emplace_back("stroke-dasharray", stroke.dash);
  Element("line", attributes);
}

void SvgWriter::Polyline(const std::vector<SvgPoint>& points, const SvgStroke& stroke) {
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"points", Points(points)},
      {"fill", "none"},
      {"stroke", stroke.color},
      {"stroke-width", SvgNumber(stroke.width)}};
  if (!stroke.dash.empty()) attributes.emplace_back("stroke-dasharray", stroke.dash);
  Element("polyline", attributes);
}

void SvgWriter::Polygon(const std::vector<SvgPoint>& points, const std::string& fill,
                        double opacity) {
  Element("polygon",
          {{"points", Points(points)}, {"fill", fill}, {"fill-opacity", SvgNumber(opacity)}});
}

void SvgWriter::Text(double x, double y, std::string_view text, const SvgTextStyle& style) {
  body_ += "  <text x=\"" + SvgNumber(x) + "\" y=\"" + SvgNumber(y) + "\" font-size=\"" +
           SvgNumber(style.size) + "\" text-anchor=\"" + EscapeXml(style.anchor) + "\" fill=\"" +
           EscapeXml(style.color) + "\">" + EscapeXml(text) + "</text>\n";
}

std::string SvgWriter::Finish() const {
  std::string size = "width=\"" + SvgNumber(width_) + "\" height=\"" + SvgNumber(height_) +
                     "\" viewBox=\"0 0 " + SvgNumber(width_) + " " + SvgNumber(height_) + "\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" " +
         size + " font-family=\"sans-serif\">\n" + body_ + "</svg>\n";
}

}  // namespace macropipe::forecast
