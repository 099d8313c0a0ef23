//go:build !chaos

package service

import (
	"github.com/newsflow/newsflow/pkg/bus"
	"github.com/newsflow/newsflow/pkg/schema"
)

// withFaults returns h: fault injection exists only in chaos builds.
func withFaults(h bus.Handler[schema.FetchedPage]) bus.Handler[schema.FetchedPage] { return h }
