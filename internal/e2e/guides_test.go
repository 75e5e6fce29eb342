package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// The TestGuide_ tests run what docs/guides/*.md show, read from the generated pages themselves
// (blocks rendered from examples/ included), so a guide cannot break unseen: each test claims
// every HCL block of its guide before it runs anything, and fails if one is left unclaimed.
// The blocks are not files under examples/: every .tf file there is validated on its own, and the
// guides' blocks are fragments of one configuration, call local modules, name another provider
// or need Terraform 1.14.

// testedGuides are the guides that a TestGuide_ test runs.
var testedGuides = []string{"adopting-servers", "secrets", "testing-modules", "troubleshooting"}

// TestGuide_everyGuideTested fails for a guide that no TestGuide_ test runs.
func TestGuide_everyGuideTested(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "guides", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no guides found (%v)", err)
	}
	var names []string
	for _, page := range pages {
		names = append(names, strings.TrimSuffix(filepath.Base(page), ".md"))
	}
	for _, name := range names {
		if !slices.Contains(testedGuides, name) {
			t.Errorf("docs/guides/%s.md has no test: add a TestGuide_ test that runs its code, and the guide to testedGuides", name)
		}
	}
	for _, name := range testedGuides {
		if !slices.Contains(names, name) {
			t.Errorf("testedGuides names %s, which docs/guides does not hold", name)
		}
	}
}

// guideDoc is one generated guide split into its fenced code blocks.
type guideDoc struct {
	name   string
	blocks []guideBlock
}

// guideBlock is one fenced code block: its language tag, the heading it is under, and its text
// without the indentation of a block inside a list item.
type guideBlock struct {
	lang    string
	section string
	text    string
	claimed bool
}

// isHCL reports whether a block is configuration: Terraform's, a test or query file, or a CLI
// configuration file.
func (b guideBlock) isHCL() bool { return b.lang == "terraform" || b.lang == "hcl" }

// readGuide parses docs/guides/NAME.md.
func readGuide(t *testing.T, name string) *guideDoc {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	g := &guideDoc{name: name}
	var (
		section string
		cur     *guideBlock
		indent  string
		body    []string
	)
	for line := range strings.SplitSeq(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			indent = line[:len(line)-len(strings.TrimLeft(line, " "))]
			cur = &guideBlock{lang: strings.TrimPrefix(trimmed, "```"), section: section}
			body = nil
		case cur != nil && trimmed == "```":
			cur.text = strings.Join(body, "\n") + "\n"
			g.blocks = append(g.blocks, *cur)
			cur = nil
		case cur != nil:
			body = append(body, strings.TrimPrefix(line, indent))
		case strings.HasPrefix(line, "#"):
			section = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
	}
	if cur != nil {
		t.Fatalf("%s.md: the code block under %q is not closed", name, cur.section)
	}
	return g
}

// hcl claims the one HCL block that contains marker and returns its text.
func (g *guideDoc) hcl(t *testing.T, marker string) string {
	t.Helper()
	return g.claim(t, marker, guideBlock.isHCL)
}

// shell returns the one shell block that contains marker. Shell blocks are not claimed: a guide
// may show commands that no test can run (against the real API, say).
func (g *guideDoc) shell(t *testing.T, marker string) string {
	t.Helper()
	return g.claim(t, marker, func(b guideBlock) bool { return b.lang == "shell" })
}

// text returns the one block of sample output that contains marker.
func (g *guideDoc) text(t *testing.T, marker string) string {
	t.Helper()
	return g.claim(t, marker, func(b guideBlock) bool { return b.lang == "text" })
}

func (g *guideDoc) claim(t *testing.T, marker string, kind func(guideBlock) bool) string {
	t.Helper()
	found := -1
	for i, b := range g.blocks {
		if !kind(b) || !strings.Contains(b.text, marker) {
			continue
		}
		if found >= 0 {
			t.Fatalf("%s.md: more than one block contains %q (under %q and %q): make the marker unique", g.name, marker, g.blocks[found].section, b.section)
		}
		found = i
	}
	if found < 0 {
		t.Fatalf("%s.md has no block containing %q: the guide changed, so change its test with it", g.name, marker)
	}
	g.blocks[found].claimed = true
	return g.blocks[found].text
}

// requireAllClaimed fails the test for every HCL block that the test did not claim: a block
// added to a guide needs a test that runs it.
func (g *guideDoc) requireAllClaimed(t *testing.T) {
	t.Helper()
	for _, b := range g.blocks {
		if b.isHCL() && !b.claimed {
			t.Errorf("%s.md: no test runs the %s block under %q:\n%s", g.name, b.lang, b.section, b.text)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// guideCommands returns the terraform commands of a shell block, one argument list per line that
// starts with "terraform", without the comment at its end.
func guideCommands(t *testing.T, shell string) [][]string {
	t.Helper()
	var cmds [][]string
	for line := range strings.SplitSeq(shell, "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "terraform" {
			continue
		}
		for _, f := range fields[1:] {
			if strings.ContainsAny(f, `'"$`) {
				t.Fatalf("the command %q quotes or expands; run it through a shell instead", line)
			}
		}
		cmds = append(cmds, fields[1:])
	}
	if len(cmds) == 0 {
		t.Fatalf("no terraform command in:\n%s", shell)
	}
	return cmds
}

// uuidPattern matches the UUIDs the guides use as examples.
var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestGuide_formatted checks that every terraform block of every guide is formatted as terraform
// fmt formats it (hcl blocks are CLI configuration, which fmt rejects). Each block is checked as a
// .tf file: fmt formats blocks by their syntax alone, and Terraform 1.14.9's fmt skips
// .tfquery.hcl files.
func TestGuide_formatted(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "guides", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no guides found (%v)", err)
	}
	tf, providerDir := setup(t)
	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{}
	for _, page := range pages {
		g := readGuide(t, strings.TrimSuffix(filepath.Base(page), ".md"))
		for i, b := range g.blocks {
			if b.lang == "terraform" {
				file := fmt.Sprintf("%s-%02d.tf", g.name, i)
				where[file] = fmt.Sprintf("%s.md, the %s block under %q", g.name, b.lang, b.section)
				writeFiles(t, ws.Dir, map[string]string{file: b.text})
			}
		}
	}
	cmd := ws.Command(t.Context(), "fmt", "-check", "-list=true", "-no-color")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	for file := range strings.FieldsSeq(string(out)) {
		t.Errorf("%s is not formatted as terraform fmt formats it", where[file])
	}
	if err != nil && !t.Failed() {
		t.Fatalf("terraform fmt -check: %v\n%s", err, stderr.String())
	}
	t.Logf("checked %d blocks", len(where))
}

// writeFiles writes name → content into dir, creating subdirectories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
