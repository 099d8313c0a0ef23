package service

import "time"

// timeNow is the service's clock.
var timeNow = time.Now
