#include "xml_check.h"

#include <cctype>
#include <set>
#include <vector>

namespace macropipe::testing {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

class XmlChecker {
 public:
  explicit XmlChecker(std::string_view text) : text_(text) {}

  std::string Check() {
    SkipSpace();
    if (text_.substr(at_, 5) == "<?xml") {
      size_t end = text_.find("?>", at_);
      if (end == std::string_view::npos) {
        Fail("unterminated XML declaration");
        return problem_;
      }
      at_ = end + 2;
    }
    SkipSpace();
    if (!Element()) return problem_;
    SkipSpace();
    if (at_ != text_.size()) Fail("content after the root element");
    return problem_;
  }

 private:
  // Records the first problem; returns false so callers can return it.
  bool Fail(const std::string& what) {
    if (problem_.empty()) problem_ = what + " at byte " + std::to_string(at_);
    return false;
  }

  void SkipSpace() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  bool Name(std::string& name) {
    size_t start = at_;
    if (at_ >= text_.size() || !IsNameStart(text_[at_])) return Fail("expected a name");
    while (at_ < text_.size() && IsNameChar(text_[at_])) ++at_;
    name = std::string(text_.substr(start, at_ - start));
    return true;
  }

  // Checks a reference after '&' up to its ';'.
  bool Reference() {
    size_t end = text_.find(';', at_);
    if (end == std::string_view::npos) return Fail("'&' without ';'");
    std::string_view name = text_.substr(at_ + 1, end - at_ - 1);
    static const std::set<std::string_view> kPredefined = {"amp", "lt", "gt", "quot", "apos"};
    bool numeric = name.size() > 1 && name[0] == '#';
    if (numeric) {
      bool hex = name[1] == 'x';
      std::string_view digits = name.substr(hex ? 2 : 1);
      for (char c : digits) {
        if (!(hex ? std::isxdigit(static_cast<unsigned char>(c))
                  : std::isdigit(static_cast<unsigned char>(c)))) {
          numeric = false;
        }
      }
      numeric = numeric && !digits.empty();
    }
    if (!numeric && kPredefined.count(name) == 0) {
      return Fail("unknown entity '&" + std::string(name) + ";'");
    }
    at_ = end + 1;
    return true;
  }

  bool Attributes(bool& empty_element) {
    std::set<std::string> seen;
    for (;;) {
      size_t before = at_;
      SkipSpace();
      if (at_ >= text_.size()) return Fail("unterminated tag");
      if (text_.substr(at_, 2) == "/>") {
        at_ += 2;
        empty_element = true;
        return true;
      }
      if (text_[at_] == '>') {
        ++at_;
        empty_element = false;
        return true;
      }
      if (at_ == before) return Fail("attributes need space between them");
      std::string name;
      if (!Name(name)) return false;
      if (!seen.insert(name).second) return Fail("duplicate attribute " + name);
      SkipSpace();
      if (at_ >= text_.size() || text_[at_] != '=') return Fail("expected '='");
      ++at_;
      SkipSpace();
      char quote = at_ < text_.size() ? text_[at_] : '\0';
      if (quote != '"' && quote != '\'') return Fail("unquoted attribute");
      for (++at_; at_ < text_.size() && text_[at_] != quote;) {
        if (text_[at_] == '<') return Fail("'<' in an attribute");
        if (text_[at_] == '&') {
          if (!Reference()) return false;
        } else {
          ++at_;
        }
      }
      if (at_ >= text_.size()) return Fail("unterminated attribute");
      ++at_;
    }
  }

  bool Element() {
    if (at_ >= text_.size() || text_[at_] != '<') return Fail("expected an element");
    ++at_;
    std::string name;
    if (!Name(name)) return false;
    bool empty_element = false;
    if (!Attributes(empty_element)) return false;
    if (empty_element) return true;
    for (;;) {
      if (at_ >= text_.size()) return Fail("unclosed element " + name);
      if (text_.substr(at_, 2) == "</") {
        at_ += 2;
        std::string closing;
        if (!Name(closing)) return false;
        SkipSpace();
        if (closing != name || at_ >= text_.size() || text_[at_] != '>') {
          return Fail("element " + name + " closed by " + closing);
        }
        ++at_;
        return true;
      }
      if (text_.substr(at_, 4) == "<!--") {
        size_t end = text_.find("-->", at_);
        if (end == std::string_view::npos) return Fail("unterminated comment");
        at_ = end + 3;
      } else if (text_[at_] == '<') {
        if (!Element()) return false;
      } else if (text_[at_] == '&') {
        if (!Reference()) return false;
      } else {
        ++at_;
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
  std::string problem_;
};

}  // namespace

std::string XmlProblem(std::string_view document) { return XmlChecker(document).Check(); }

}  // namespace macropipe::testing
