// Command flaky reads `go test -json` output on stdin from a run with -count=N (and perhaps
// several -cpu values) and reports which tests ever failed, how often, and the output of their
// failed runs. It exits 1 when any test failed, 2 when the run itself broke (a build error, a
// panic, no test at all). `make test-flaky` pipes the acceptance suites into it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// event is one line of test2json output (go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// tally is how one test fared over all its runs, with the output of the runs that failed.
type tally struct {
	passed, failed, skipped int
	failures                []string
}

// summary is what a whole run of go test -json amounted to.
type summary struct {
	tests       map[string]*tally
	brokenPkgs  []string
	runs        int
	currentRuns map[string]*strings.Builder
}

func read(r io.Reader) (*summary, error) {
	s := &summary{tests: map[string]*tally{}, currentRuns: map[string]*strings.Builder{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// go test prints build errors as plain text before any JSON.
			fmt.Fprintln(os.Stderr, sc.Text())
			continue
		}
		if e.Test == "" {
			if e.Action == "fail" {
				s.brokenPkgs = append(s.brokenPkgs, e.Package)
			}
			continue
		}
		key := e.Package + "." + e.Test
		t := s.tests[key]
		if t == nil {
			t = &tally{}
			s.tests[key] = t
		}
		switch e.Action {
		case "run":
			s.currentRuns[key] = &strings.Builder{}
		case "output":
			if b := s.currentRuns[key]; b != nil {
				b.WriteString(e.Output)
			}
		case "pass":
			t.passed++
			s.runs++
		case "skip":
			t.skipped++
		case "fail":
			t.failed++
			s.runs++
			if b := s.currentRuns[key]; b != nil {
				t.failures = append(t.failures, b.String())
			}
		}
	}
	return s, sc.Err()
}

// report prints the failed runs' output and a summary, and returns the exit code.
func (s *summary) report(w io.Writer) int {
	var failed []string
	for name, t := range s.tests {
		if t.failed > 0 {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	for _, name := range failed {
		for i, out := range s.tests[name].failures {
			fmt.Fprintf(w, "=== failed run %d of %s\n%s\n", i+1, name, out)
		}
	}
	fmt.Fprintf(w, "flaky: %d test runs of %d tests, %d tests ever failed\n", s.runs, len(s.tests), len(failed))
	for _, name := range failed {
		t := s.tests[name]
		fmt.Fprintf(w, "  %s: failed %d of %d runs\n", name, t.failed, t.failed+t.passed)
	}
	// A package that failed with no failed test broke outside any test (build error, panic in
	// TestMain, timeout): that is not flakiness, and its tests did not all run.
	var broken []string
	for _, pkg := range s.brokenPkgs {
		if !slices.ContainsFunc(failed, func(n string) bool { return strings.HasPrefix(n, pkg+".") }) {
			broken = append(broken, pkg)
		}
	}
	switch {
	case len(broken) > 0:
		fmt.Fprintf(w, "flaky: packages failed outside any test (build error, panic or timeout): %s\n", strings.Join(broken, ", "))
		return 2
	case s.runs == 0:
		fmt.Fprintln(w, "flaky: no test ran")
		return 2
	case len(failed) > 0:
		return 1
	}
	return 0
}

func main() {
	s, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flaky:", err)
		os.Exit(2)
	}
	os.Exit(s.report(os.Stdout))
}
