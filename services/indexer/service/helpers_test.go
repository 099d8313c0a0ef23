package service

import "github.com/newsflow/newsflow/pkg/bus"

func natsOptions(u string) bus.ConnOptions { return bus.ConnOptions{URL: u, Name: Name} }
