// Package logging builds the one zap logger shape every Newsflow binary uses:
// JSON lines with "ts" (RFC 3339), "level", "msg", "service" and snake_case
// fields from a small shared set (see the Key constants). A line about one
// message of a stage carries "stage"; "service" is left off a line whose
// stage has the service's name (the fetcher binary's fetcher stage), so
// the two never repeat each other.
//
// It depends only on zap.
package logging

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Shared field keys. Using these names everywhere lets an operator follow
// one URL through every service with one jq filter.
const (
	KeyService = "service"
	KeyStage   = "stage"
	KeyURL     = "url"
	KeyHost    = "host"
	KeyStatus  = "status"
	KeyAttempt = "attempt"
	KeyTookMS  = "took_ms" // a number of milliseconds
	KeyBytes   = "bytes"
	KeyTraceID = "trace_id"
	KeyOutcome = "outcome"
	KeyReason  = "reason"
)

// New returns a JSON logger for service writing to stderr at level
// ("debug", "info", "warn", "error"). It returns an error for an unknown level.
func New(service, level string) (*zap.Logger, error) {
	return NewTo(os.Stderr, service, level)
}

// NewTo is New writing to w, for tests and for embedding several services
// in one process.
func NewTo(w io.Writer, service, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey:        "ts",
		LevelKey:       "level",
		NameKey:        "logger",
		MessageKey:     "msg",
		StacktraceKey:  "stacktrace",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeTime:     zapcore.RFC3339NanoTimeEncoder,
		EncodeDuration: zapcore.StringDurationEncoder,
	})
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)
	return zap.New(serviceCore{Core: core, service: service}, zap.AddStacktrace(zapcore.DPanicLevel)), nil
}

// serviceCore adds the service field to every line written, except on a
// logger narrowed to a stage of the same name.
type serviceCore struct {
	zapcore.Core
	service string
	omit    bool
}

func (c serviceCore) With(fields []zapcore.Field) zapcore.Core {
	omit := c.omit
	for _, f := range fields {
		if f.Key == KeyStage && f.Type == zapcore.StringType && f.String == c.service {
			omit = true
		}
	}
	return serviceCore{Core: c.Core.With(fields), service: c.service, omit: omit}
}

func (c serviceCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c serviceCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	if !c.omit {
		fields = append([]zapcore.Field{zap.String(KeyService, c.service)}, fields...)
	}
	return c.Core.Write(e, fields)
}
