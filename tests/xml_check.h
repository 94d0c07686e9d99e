// A strict check that a document is well-formed XML 1.0, for tests of the
// SVG charts: one root element, nested and matching tags, quoted and unique
// attributes, and only the predefined or numeric character references.
// It does not read a DTD or check namespaces.
#pragma once

#include <string>
#include <string_view>

namespace macropipe::testing {

// Returns an empty string for a well-formed document, or what is wrong and at
// which byte offset.
std::string XmlProblem(std::string_view document);

}  // namespace macropipe::testing
