package karafka_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// mdLink is an inline Markdown link or image: [text](target) or ![alt](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

var (
	htmlAnchor = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
	inlineCode = regexp.MustCompile("`[^`]*`")
)

// mdAnchors returns the anchors GitHub gives a Markdown file's headings
// (lower case, punctuation other than - and _ dropped, spaces as -, a
// repeated heading suffixed -1, -2, ...) and its <a id/name> tags. Lines in
// fenced code blocks are not headings.
func mdAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}

// Every relative link in README.md and docs/*.md (outside code blocks)
// points at a file of the repository and, with a #fragment into a Markdown
// file, at one of its headings: pages moved or renamed keep their links.
func TestDocs_relativeLinksResolve(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	anchorsOf := map[string]map[string]bool{}
	anchors := func(path string) (map[string]bool, error) {
		if a, ok := anchorsOf[path]; ok {
			return a, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		anchorsOf[path] = mdAnchors(string(b))
		return anchorsOf[path], nil
	}
	links := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		fenced := false
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				fenced = !fenced
				continue
			}
			if fenced {
				continue
			}
			// Inline code may hold text that looks like a link.
			line = inlineCode.ReplaceAllString(line, "")
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				file, frag, _ := strings.Cut(target, "#")
				path := page
				if file != "" {
					path = filepath.Join(filepath.Dir(page), file)
					if _, err := os.Stat(path); err != nil {
						t.Errorf("%s:%d: link %q: no file %s", page, i+1, target, path)
						continue
					}
				}
				if frag == "" || !strings.HasSuffix(path, ".md") {
					continue
				}
				a, err := anchors(path)
				if err != nil {
					t.Errorf("%s:%d: link %q: %v", page, i+1, target, err)
					continue
				}
				if !a[frag] {
					t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s", page, i+1, target, path, frag)
				}
			}
		}
	}
	if links == 0 {
		t.Fatal("no relative links found: the link pattern is broken")
	}
}

// dayDate is a date to the day, as benchmark prose is dated.
var dayDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// The README stays a first page: short, without the Mermaid drawing
// (docs/concepts.md has it) and without prose dated by day (measurements
// belong in docs/performance.md and docs/benchmarks.md).
func TestDocs_readmeIsAFirstPage(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n > 250 {
		t.Errorf("README.md has %d lines; keep it a first page of at most 250 and move detail to docs/", n)
	}
	if strings.Contains(readme, "```mermaid") {
		t.Error("README.md has a ```mermaid block; docs/concepts.md holds the drawing")
	}
	if d := dayDate.FindString(readme); d != "" {
		t.Errorf("README.md has a date (%s); dated measurements go to docs/performance.md or docs/benchmarks.md", d)
	}
}
