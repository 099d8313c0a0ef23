package parse

import "sync"

// recent remembers the crawl-request ids this parser published lately, so
// the links every page of a site repeats (menus, trending boxes, footers)
// are not sent again and again only for the stream to drop them as
// duplicates. It is an optimisation, never a correctness guard: the CRAWL
// stream's duplicate window and the fetcher's seen-set still decide.
// Memory is bounded: two generations of at most size ids each.
type recent struct {
	mu        sync.Mutex
	size      int
	cur, prev map[string]struct{}
}

func newRecent(size int) *recent {
	return &recent{size: size, cur: make(map[string]struct{}, size)}
}

// add records id and reports whether it was already there.
func (r *recent) add(id string) (seen bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.cur[id]; ok {
		return true
	}
	if _, ok := r.prev[id]; ok {
		r.cur[id] = struct{}{}
		return true
	}
	if len(r.cur) >= r.size {
		r.prev, r.cur = r.cur, make(map[string]struct{}, r.size)
	}
	r.cur[id] = struct{}{}
	return false
}
