-- KEYS[1] the name's token counter; ARGV[1] the floor. The counter never goes down.
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then
  redis.call('SET', KEYS[1], floor)
end
return 1
