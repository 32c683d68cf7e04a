// The three benchmark messages (FIX 4.4), as (tag, value) lists shared by the fixgate and the
// QuickFIX halves of codec_bench so both encode and parse exactly the same bytes. C++14.
#pragma once

#include <cstddef>

namespace fixgate_bench {

struct TagValue {
  int tag;
  const char* value;
};

struct BenchMessage {
  const char* name;
  const char* msg_type;
  const TagValue* body;  // body fields in order, groups included (count field, then entries)
  size_t body_size;
  int group_count_tag;  // 0 if none; its entries follow it in `body`
  int group_delimiter;
  size_t group_entries;
  size_t group_entry_size;  // fields per entry
};

// Header fields written before the body (after 8, 9, 35).
static const TagValue kHeader[] = {
    {49, "CLIENT01"}, {56, "BROKER01"}, {34, "123456"}, {52, "20261122-14:30:00.123"}};

static const TagValue kNewOrderSingle[] = {
    {11, "ORD-20261122-000001"}, {1, "ACC-778899"}, {21, "1"},   {55, "MSFT"},
    {207, "XNAS"},               {54, "1"},         {60, "20261122-14:30:00.123"},
    {38, "1500"},                {40, "2"},         {44, "415.25"}, {59, "0"},
    {15, "USD"},                 {100, "XNAS"},     {528, "A"},  {58, "bench order"}};

static const TagValue kExecutionReport[] = {
    {37, "OID-998877"},  {11, "ORD-20261122-000001"}, {17, "EXEC-0001-0002"},
    {150, "F"},          {39, "1"},                   {1, "ACC-778899"},
    {55, "MSFT"},        {207, "XNAS"},               {54, "1"},
    {38, "1500"},        {40, "2"},                   {44, "415.25"},
    {15, "USD"},         {59, "0"},                   {32, "500"},
    {31, "415.24"},      {30, "XNAS"},                {336, "REG"},
    {151, "1000"},       {14, "500"},                 {6, "415.24"},
    {75, "20261122"},    {60, "20261122-14:30:00.456"}, {12, "1.25"},
    {13, "3"},           {381, "207620.00"},          {528, "A"},
    {529, "1"},          {58, "partial fill"},        {442, "1"}};

static const TagValue kMarketDataSnapshot[] = {
    {262, "MDREQ-42"}, {55, "EUR/USD"}, {268, "10"},
    {269, "0"}, {270, "1.08501"}, {271, "1000000"}, {273, "14:30:00.123"}, {290, "1"},
    {269, "1"}, {270, "1.08503"}, {271, "1000000"}, {273, "14:30:00.123"}, {290, "1"},
    {269, "0"}, {270, "1.08500"}, {271, "2000000"}, {273, "14:30:00.123"}, {290, "2"},
    {269, "1"}, {270, "1.08504"}, {271, "2000000"}, {273, "14:30:00.123"}, {290, "2"},
    {269, "0"}, {270, "1.08499"}, {271, "5000000"}, {273, "14:30:00.123"}, {290, "3"},
    {269, "1"}, {270, "1.08505"}, {271, "5000000"}, {273, "14:30:00.123"}, {290, "3"},
    {269, "0"}, {270, "1.08498"}, {271, "3000000"}, {273, "14:30:00.123"}, {290, "4"},
    {269, "1"}, {270, "1.08506"}, {271, "3000000"}, {273, "14:30:00.123"}, {290, "4"},
    {269, "0"}, {270, "1.08497"}, {271, "7000000"}, {273, "14:30:00.123"}, {290, "5"},
    {269, "1"}, {270, "1.08507"}, {271, "7000000"}, {273, "14:30:00.123"}, {290, "5"}};

static const BenchMessage kMessages[] = {
    {"NewOrderSingle", "D", kNewOrderSingle, sizeof kNewOrderSingle / sizeof(TagValue), 0, 0, 0, 0},
    {"ExecutionReport", "8", kExecutionReport, sizeof kExecutionReport / sizeof(TagValue), 0, 0, 0,
     0},
    {"MarketDataSnapshot", "W", kMarketDataSnapshot, sizeof kMarketDataSnapshot / sizeof(TagValue),
     268, 269, 10, 5},
};

}  // namespace fixgate_bench
