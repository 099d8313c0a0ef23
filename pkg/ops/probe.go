package ops

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Probe GETs url and returns nil on a 2xx answer. Binaries run it as
// `<binary> healthcheck URL`, the container healthcheck of images that have
// no shell or wget.
func Probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("probe %s: %s", url, resp.Status)
	}
	return nil
}
