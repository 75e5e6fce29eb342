package simulator

import (
	"errors"
	"regexp"
	"strconv"
)

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func itoa(i int) string { return strconv.Itoa(i) }
