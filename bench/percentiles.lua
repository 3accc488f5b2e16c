-- wrk prints p50/p75/p90/p99 only; the search table wants p95 too, in microseconds.
done = function(summary, latency, requests)
  for _, percent in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %d %d\n", percent, latency:percentile(percent)))
  end
end
