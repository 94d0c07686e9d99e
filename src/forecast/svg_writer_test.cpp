#include "forecast/svg_writer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "xml_check.h"

namespace macropipe::forecast {
namespace {

TEST(SvgWriterTest, EscapesReservedCharacters) {
  struct Case {
    std::string text;
    std::string escaped;
  };
  const Case kCases[] = {
      {"S&P 500", "S&amp;P 500"},
      {"<tag>", "&lt;tag&gt;"},
      {"say \"hi\" 'there'", "say &quot;hi&quot; &apos;there&apos;"},
      {"tab\tstays, bell\a goes", "tab\tstays, bell  goes"},
      {"", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(EscapeXml(c.text), c.escaped);
  }
}

TEST(SvgWriterTest, FormatsNumbersShort) {
  struct Case {
    double value;
    std::string text;
  };
  const Case kCases[] = {{0, "0"},          {1.5, "1.5"},   {2.0, "2"}, {-0.001, "0"},
                         {12.346, "12.35"}, {-3.1, "-3.1"}, {NAN, "0"}, {1e6, "1000000"}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(SvgNumber(c.value), c.text);
  }
}

TEST(SvgWriterTest, DocumentIsWellFormed) {
  SvgWriter svg(200, 100);
  svg.Rect(1, 2, 3, -4, "#fff", 0.5);
  svg.Line({0, 0}, {10, 10}, {"red", 1, "4 2"});
  svg.Polyline({{0, 1}, {2, 3}}, {});
  svg.Polygon({{0, 0}, {1, 0}, {1, 1}}, "blue", 0.3);
  svg.Text(5, 5, "A & <B> \"C\"", {.size = 10, .anchor = "middle"});
  std::string document = svg.Finish();

  EXPECT_EQ(testing::XmlProblem(document), "") << document;
  EXPECT_NE(document.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(document.find(">A &amp; &lt;B&gt; &quot;C&quot;</text>"), std::string::npos);
  EXPECT_NE(document.find("height=\"0\""), std::string::npos);  // A negative size is clamped.
  EXPECT_NE(document.find("stroke-dasharray=\"4 2\""), std::string::npos);
}

TEST(XmlCheckTest, FindsMalformedDocuments) {
  const char* kBroken[] = {
      "<svg><g></svg>",
      "<svg a=1/>",
      "<svg a=\"1\" a=\"2\"/>",
      "<svg>&nbsp;</svg>",
      "<svg>a & b</svg>",
      "<svg/><svg/>",
      "<svg a=\"<\"/>",
      "<svg",
      "text",
  };
  for (const char* document : kBroken) {
    SCOPED_TRACE(document);
    EXPECT_NE(testing::XmlProblem(document), "");
  }
  EXPECT_EQ(testing::XmlProblem("<?xml version=\"1.0\"?>\n<a b='&#38;'><!-- c --><d/>&#x41;</a>"),
            "");
}

}  // namespace
}  // namespace macropipe::forecast
