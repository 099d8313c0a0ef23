package bus

import (
	"fmt"
	"strconv"
	"strings"
)

// MinServerVersion is the oldest nats-server Newsflow runs against.
// Connect refuses an older one.
const MinServerVersion = "2.9.0"

// Features say what the connected JetStream server understands, so the
// bus can use the best form a server offers and fall back on older ones.
type Features struct {
	// TermReason: a terminate may carry a reason (nats-server 2.10.4 on;
	// see jetstream.Msg.TermWithReason). An older server does not
	// recognise "+TERM reason" and redelivers the message until
	// MaxDeliver, so the bus sends a plain terminate instead.
	TermReason bool
	// Compression: streams may be stored S2-compressed (2.10.0 on). An
	// older server ignores the setting.
	Compression bool
}

// ServerFeatures returns the features of a server of version ("2.9.10",
// "v2.10.4", "2.11.0-RC.1"). An unparsable or empty version has none,
// the safe side of every feature.
func ServerFeatures(version string) Features {
	v, ok := parseVersion(version)
	if !ok {
		return Features{}
	}
	return Features{
		TermReason:  !v.less(semver{2, 10, 4}),
		Compression: !v.less(semver{2, 10, 0}),
	}
}

// CheckServer returns an error for a server older than MinServerVersion
// or whose version cannot be read.
func CheckServer(version string) error {
	v, ok := parseVersion(version)
	if !ok {
		return fmt.Errorf("nats-server version %q: unreadable, want %s or later", version, MinServerVersion)
	}
	minimum, _ := parseVersion(MinServerVersion)
	if v.less(minimum) {
		return fmt.Errorf("nats-server %s: too old, want %s or later", version, MinServerVersion)
	}
	return nil
}

type semver [3]int

func (a semver) less(b semver) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// parseVersion reads major.minor.patch, ignoring a leading "v" and a
// pre-release or build suffix.
func parseVersion(s string) (semver, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var v semver
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return semver{}, false
		}
		v[i] = n
	}
	return v, true
}
