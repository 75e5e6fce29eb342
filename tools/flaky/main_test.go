package main

import (
	"strings"
	"testing"
)

func TestReport_namesTestsThatEverFailed(t *testing.T) {
	cases := []struct {
		name     string
		input    string
		wantCode int
		want     []string
	}{
		{
			name: "one flaky test among steady ones",
			input: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"got network_configured\n"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"fine\n"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p"}
`,
			wantCode: 1,
			want:     []string{"=== failed run 1 of p.TestB\ngot network_configured", "3 test runs of 2 tests, 1 tests ever failed", "p.TestB: failed 1 of 2 runs"},
		},
		{
			name: "all pass, skips do not count as runs",
			input: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestOld"}
{"Action":"skip","Package":"p","Test":"TestOld"}
{"Action":"pass","Package":"p"}
`,
			wantCode: 0,
			want:     []string{"1 test runs of 2 tests, 0 tests ever failed"},
		},
		{
			name:     "a package that breaks outside any test",
			input:    "# p\n./x.go:1: syntax error\n" + `{"Action":"fail","Package":"p"}` + "\n",
			wantCode: 2,
			want:     []string{"packages failed outside any test", "p"},
		},
		{
			name:     "nothing ran",
			input:    `{"Action":"pass","Package":"p"}` + "\n",
			wantCode: 2,
			want:     []string{"no test ran"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := read(strings.NewReader(c.input))
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if code := s.report(&out); code != c.wantCode {
				t.Errorf("exit code %d, want %d; output:\n%s", code, c.wantCode, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
