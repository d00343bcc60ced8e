// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Tests for the ISO 20022 message library: every Build* output validates against the official
// XSD and parses back to the same struct; tampered, hostile (XXE) and unusual documents are
// rejected with messages naming the element; amounts and dates format exactly; one SchemaSet
// validates concurrently.

#include "messages.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "schemas.h"

namespace pay::iso20022 {
namespace {

// ----- Helpers -----

const SchemaSet& Schemas() {
  static const SchemaSet* const schemas = [] {
    Result<std::unique_ptr<SchemaSet>> loaded = SchemaSet::Load(DefaultSchemaDir());
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *schemas;
}

int64_t Ms(std::string_view iso) {
  Result<int64_t> ms = ParseIsoDateTime(iso);
  EXPECT_TRUE(ms.ok()) << iso;
  return ms.value_or(0);
}

int64_t Day(std::string_view iso_date) {
  Result<int64_t> ms = ParseIsoDate(iso_date);
  EXPECT_TRUE(ms.ok()) << iso_date;
  return ms.value_or(0);
}

Money M(std::string_view currency, int64_t minor) { return Money::Create(currency, minor).value(); }

std::string Msg(const Status& status) { return std::string(status.message()); }

// EXPECT_TRUE(Contains(text, "needle")): prints the text on failure.
::testing::AssertionResult Contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << needle << "' not found in:\n" << text;
}
::testing::AssertionResult Lacks(const std::string& text, std::string_view needle) {
  if (text.find(needle) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << needle << "' unexpectedly found in:\n" << text;
}

// Replaces the first occurrence of `from` (which must exist) with `to`.
std::string Replace(std::string text, std::string_view from, std::string_view to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "missing '" << from << "' in\n" << text;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

void ExpectValid(MessageType type, const std::string& xml) {
  Status status = Schemas().Validate(type, xml);
  EXPECT_TRUE(status.ok()) << status << "\n" << xml;
  Result<MessageType> detected = Schemas().Detect(xml);
  ASSERT_TRUE(detected.ok()) << detected.status();
  EXPECT_EQ(*detected, type);
}

void ExpectAccountEq(const Account& actual, const Account& expected, const std::string& where) {
  EXPECT_EQ(actual.iban, expected.iban) << where;
  EXPECT_EQ(actual.bic, expected.bic) << where;
  EXPECT_EQ(actual.name, expected.name) << where;
}

void ExpectMoneyEq(const Money& actual, const Money& expected, const std::string& where) {
  EXPECT_EQ(actual.ToString(), expected.ToString()) << where;
  EXPECT_EQ(actual.currency(), expected.currency()) << where;
  EXPECT_EQ(actual.minor_units(), expected.minor_units()) << where;
}

// ----- Realistic messages -----

Pain001 SamplePain001() {
  Pain001 m;
  m.message_id = "GOVPAY-SETTLE-20261124-0001";
  m.creation_time_ms = Ms("2026-11-24T10:15:30Z");
  m.initiating_party = "Government Payment Gateway";
  m.payment_info_id = "SETTLE-20261124";
  m.requested_execution_date_ms = Day("2026-11-25");
  m.debtor = {"SA0380000000608010167519", "RJHISARI", "Government Payment Gateway"};
  CreditTransfer sar;
  sar.instruction_id = "INSTR-0001";
  sar.end_to_end_id = "SETTLE-MOI-20261124";
  sar.amount = M("SAR", 125050);  // 1250.50 SAR
  sar.creditor = {"SA4420000001234567891234", "NCBKSAJE", "وزارة الداخلية"};
  // Longer than one Max140Text: written as two Ustrd lines, read back joined.
  sar.remittance =
      "Settlement of passport fees & charges <2026-11-24>; bills " + std::string(150, '7');
  CreditTransfer jod;
  jod.instruction_id = "INSTR-0002";
  jod.end_to_end_id = "REFUND-BILL-9000123";
  jod.amount = M("JOD", 12345);  // 12.345 JOD
  jod.creditor = {"JO94CBJO0010000000000131000302", "ARABJOAX", "Omar Haddad"};
  jod.remittance = "Refund of bill 9000123";
  m.transfers = {sar, jod};
  return m;
}

Pain008 SamplePain008() {
  Pain008 m;
  m.message_id = "GOVPAY-DD-20261124-0001";
  m.creation_time_ms = Ms("2026-11-24T08:00:00.250Z");
  m.initiating_party = "Government Payment Gateway";
  m.payment_info_id = "COLLECT-20261124";
  m.requested_collection_date_ms = Day("2026-11-26");
  m.creditor = {"SA0380000000608010167519", "RJHISARI", "Government Payment Gateway"};
  m.creditor_scheme_id = "SA98ZZZ0123456789";
  DirectDebit a;
  a.instruction_id = "DD-0001";
  a.end_to_end_id = "FEE-BILL-1000001";
  a.amount = M("SAR", 30000);  // 300.00 SAR
  a.mandate_id = "MANDATE-77-0001";
  a.mandate_signature_date_ms = Day("2025-03-01");
  a.debtor = {"SA4420000001234567891234", "NCBKSAJE", "Fatimah Al-Qahtani"};
  a.remittance = "Bill 1000001 residence permit renewal";
  DirectDebit b;
  b.end_to_end_id = "FEE-BILL-1000002";
  b.amount = M("SAR", 5);  // 0.05 SAR
  b.mandate_id = "MANDATE-77-0002";
  b.debtor = {"SA0310000000000000000001", "", "Ahmed Al-Harbi"};  // No BIC: NOTPROVIDED.
  m.debits = {a, b};
  return m;
}

StatusReport SampleStatusReport() {
  StatusReport r;
  r.message_id = "BANK-STS-20261126-0042";
  r.creation_time_ms = Ms("2026-11-26T06:30:00Z");
  r.original_message_id = "GOVPAY-DD-20261124-0001";
  r.original_message_type = "pain.008.001.08";
  r.group_status = "PART";
  r.original_payment_info_id = "COLLECT-20261124";
  TxStatusReport settled;
  settled.original_end_to_end_id = "FEE-BILL-1000001";
  settled.original_instruction_id = "DD-0001";
  settled.status_code = "ACSC";
  settled.status = TxStatus::kSettled;
  settled.amount = M("SAR", 30000);
  settled.account_servicer_reference = "RJHI-REF-555001";
  TxStatusReport rejected;
  rejected.original_end_to_end_id = "FEE-BILL-1000002";
  rejected.status_code = "RJCT";
  rejected.status = TxStatus::kRejected;
  rejected.reason_code = "AM04";
  // Longer than one Max105Text: two AddtlInf lines.
  rejected.reason_text =
      "Insufficient funds on the debtor account at collection time; " + std::string(80, 'x');
  rejected.amount = M("JOD", 5);  // 0.005 JOD
  r.transactions = {settled, rejected};
  return r;
}

Camt054 SampleCamt054() {
  Camt054 m;
  m.message_id = "ARAB-NTF-20261124-17";
  m.creation_time_ms = Ms("2026-11-24T14:02:11Z");
  m.notification_id = "NTF-20261124-17";
  m.account = {"JO94CBJO0010000000000131000302", "ARABJOAX", "Government Payment Gateway"};
  StatementEntry counter;
  counter.entry_reference = "ENTRY-0001";
  counter.amount = M("JOD", 7500);  // 7.500 JOD
  counter.credit = true;
  counter.status = "BOOK";
  counter.booking_date_ms = Ms("2026-11-24T13:58:00Z");
  counter.value_date_ms = Day("2026-11-24");
  counter.account_servicer_reference = "ARAB-TX-99812";
  counter.end_to_end_id = "NOTPROVIDED";
  counter.remittance = "BILL 9000456";
  counter.debtor_name = "سارة العلي";
  counter.debtor_iban = "JO71CBJO0000000000001234567890";
  StatementEntry second;
  second.amount = M("JOD", 1);  // 0.001 JOD
  second.credit = true;
  second.status = "BOOK";
  second.booking_date_ms = Day("2026-11-24");
  second.account_servicer_reference = "ARAB-TX-99813";
  second.remittance = "BILL 9000457";
  m.entries = {counter, second};
  return m;
}

Camt053 SampleCamt053() {
  Camt053 m;
  m.message_id = "RJHI-STMT-20261124";
  m.creation_time_ms = Ms("2026-11-25T01:00:00Z");
  m.statement_id = "STMT-20261124-001";
  m.account = {"SA0380000000608010167519", "RJHISARI", "Government Payment Gateway"};
  m.from_ms = Ms("2026-11-24T00:00:00Z");
  m.to_ms = Ms("2026-11-24T23:59:59Z");
  m.opening_balance = M("SAR", 1000000);  // 10000.00 SAR
  m.closing_balance = M("SAR", -250075);  // -2500.75 SAR: written as DBIT 2500.75
  StatementEntry credit;
  credit.entry_reference = "E1";
  credit.amount = M("SAR", 30000);
  credit.credit = true;
  credit.status = "BOOK";
  credit.booking_date_ms = Day("2026-11-24");
  credit.value_date_ms = Day("2026-11-24");
  credit.account_servicer_reference = "RJHI-REF-555001";
  credit.end_to_end_id = "FEE-BILL-1000001";
  credit.remittance = "Bill 1000001";
  credit.debtor_name = "Fatimah Al-Qahtani";
  credit.debtor_iban = "SA4420000001234567891234";
  StatementEntry debit;
  debit.entry_reference = "E2";
  debit.amount = M("SAR", 1280075);
  debit.credit = false;
  debit.status = "BOOK";
  debit.booking_date_ms = Ms("2026-11-24T16:00:00Z");
  debit.account_servicer_reference = "RJHI-REF-555002";
  debit.end_to_end_id = "SETTLE-MOI-20261124";
  m.entries = {credit, debit};
  return m;
}

// ----- SchemaSet -----

TEST(Iso20022SchemaSetTest, LoadsAllSixSchemasFromTheDefaultDir) {
  Result<std::unique_ptr<SchemaSet>> loaded = SchemaSet::Load(DefaultSchemaDir());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(DefaultSchemaDir(), PAY_ISO20022_SCHEMA_DIR);
}

TEST(Iso20022SchemaSetTest, MissingDirectoryNamesTheFileAndTheFlag) {
  Result<std::unique_ptr<SchemaSet>> loaded = SchemaSet::Load("/nonexistent/iso20022");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(Msg(loaded.status()), "/nonexistent/iso20022/pain.001.001.09.xsd"));
  EXPECT_TRUE(Contains(Msg(loaded.status()), "--iso20022-schema-dir"));
}

TEST(Iso20022SchemaSetTest, InvalidSchemaFileNamesTheFile) {
  const std::string dir = ::testing::TempDir() + "/iso20022_bad_schema";
  std::string command = "mkdir -p '" + dir + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  {
    std::ofstream out(dir + "/pain.001.001.09.xsd");
    out << "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element/></xs:schema>";
  }
  Result<std::unique_ptr<SchemaSet>> loaded = SchemaSet::Load(dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(Msg(loaded.status()), dir + "/pain.001.001.09.xsd"));
  EXPECT_TRUE(Contains(Msg(loaded.status()), "--iso20022-schema-dir"));
}

TEST(Iso20022SchemaSetTest, NamespacesAndNames) {
  EXPECT_EQ(Namespace(MessageType::kPain001), "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09");
  EXPECT_EQ(Namespace(MessageType::kCamt054), "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08");
  EXPECT_EQ(MessageName(MessageType::kPacs002), "pacs.002.001.10");
  EXPECT_EQ(MessageName(MessageType::kPain008), "pain.008.001.08");
}

TEST(Iso20022SchemaSetTest, DetectRejectsWrongNamespaceAndRoot) {
  Result<MessageType> old_version = Schemas().Detect(
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\"><CstmrCdtTrfInitn/>"
      "</Document>");
  ASSERT_FALSE(old_version.ok());
  EXPECT_EQ(old_version.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(old_version.status()), "pain.001.001.03"));

  EXPECT_FALSE(Schemas().Detect("<Document><CstmrCdtTrfInitn/></Document>").ok());
  EXPECT_FALSE(
      Schemas().Detect("<Root xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"/>").ok());
  EXPECT_FALSE(Schemas().Detect("not xml at all").ok());
  EXPECT_FALSE(Schemas().Detect("").ok());
}

TEST(Iso20022SchemaSetTest, ValidateRejectsAMessageOfAnotherType) {
  Status status = Schemas().Validate(MessageType::kPain008, BuildPain001(SamplePain001()));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(status), "pain.008.001.08"));
}

// ----- pain.001 -----

TEST(Iso20022Pain001Test, BuildsValidXmlAndParsesBack) {
  const Pain001 original = SamplePain001();
  const std::string xml = BuildPain001(original);
  ExpectValid(MessageType::kPain001, xml);
  // One PmtInf per currency; GrpHdr CtrlSum is the plain decimal sum 1250.50 + 12.345.
  EXPECT_TRUE(Contains(xml, "<PmtInfId>SETTLE-20261124-SAR</PmtInfId>"));
  EXPECT_TRUE(Contains(xml, "<PmtInfId>SETTLE-20261124-JOD</PmtInfId>"));
  EXPECT_TRUE(Contains(xml, "<CtrlSum>1262.845</CtrlSum>"));
  EXPECT_TRUE(Contains(xml, "<NbOfTxs>2</NbOfTxs>"));
  EXPECT_TRUE(Contains(xml, "<InstdAmt Ccy=\"JOD\">12.345</InstdAmt>"));
  EXPECT_TRUE(Contains(xml, "<InstdAmt Ccy=\"SAR\">1250.50</InstdAmt>"));
  EXPECT_TRUE(Contains(xml, "<PmtMtd>TRF</PmtMtd>"));
  EXPECT_TRUE(Contains(xml, "<Dt>2026-11-25</Dt>"));

  Result<Pain001> parsed = ParsePain001(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message_id, original.message_id);
  EXPECT_EQ(parsed->creation_time_ms, original.creation_time_ms);
  EXPECT_EQ(parsed->initiating_party, original.initiating_party);
  EXPECT_EQ(parsed->payment_info_id, original.payment_info_id);
  EXPECT_EQ(parsed->requested_execution_date_ms, original.requested_execution_date_ms);
  ExpectAccountEq(parsed->debtor, original.debtor, "debtor");
  ASSERT_EQ(parsed->transfers.size(), original.transfers.size());
  for (size_t i = 0; i < original.transfers.size(); ++i) {
    const CreditTransfer& p = parsed->transfers[i];
    const CreditTransfer& o = original.transfers[i];
    const std::string where = "transfer " + std::to_string(i);
    EXPECT_EQ(p.instruction_id, o.instruction_id) << where;
    EXPECT_EQ(p.end_to_end_id, o.end_to_end_id) << where;
    ExpectMoneyEq(p.amount, o.amount, where);
    ExpectAccountEq(p.creditor, o.creditor, where);
    EXPECT_EQ(p.remittance, o.remittance) << where;
  }
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022Pain001Test, SingleCurrencyKeepsThePaymentInfoIdAndMinimalFields) {
  Pain001 m = SamplePain001();
  m.transfers.pop_back();
  m.debtor.bic.clear();  // DbtrAgt is mandatory: written as Othr/Id NOTPROVIDED.
  m.initiating_party.clear();
  m.requested_execution_date_ms = Ms("2026-11-25T09:00:00Z");  // Written as DtTm.
  m.transfers[0].instruction_id.clear();
  m.transfers[0].creditor = {"SA4420000001234567891234", "", ""};
  m.transfers[0].remittance.clear();
  const std::string xml = BuildPain001(m);
  ExpectValid(MessageType::kPain001, xml);
  EXPECT_TRUE(Contains(xml, "<PmtInfId>SETTLE-20261124</PmtInfId>"));
  EXPECT_TRUE(Contains(xml, "<Id>NOTPROVIDED</Id>"));
  EXPECT_TRUE(Contains(xml, "<DtTm>2026-11-25T09:00:00Z</DtTm>"));
  EXPECT_TRUE(Lacks(xml, "RmtInf"));
  Result<Pain001> parsed = ParsePain001(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == m);
}

TEST(Iso20022Pain001Test, TamperedDocumentsFailValidationNamingTheElement) {
  const std::string xml = BuildPain001(SamplePain001());

  // An invalid IBAN.
  Status bad_iban = Schemas().Validate(
      MessageType::kPain001,
      Replace(xml, "<IBAN>SA0380000000608010167519</IBAN>", "<IBAN>SA03 8000-0000</IBAN>"));
  ASSERT_FALSE(bad_iban.ok());
  EXPECT_EQ(bad_iban.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(bad_iban), "IBAN"));
  EXPECT_TRUE(Contains(Msg(bad_iban), "/Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAcct/Id/IBAN"));
  EXPECT_TRUE(Contains(Msg(bad_iban), "line "));

  // An amount with 6 fraction digits (ActiveOrHistoricCurrencyAndAmount allows 5).
  const std::string six_digits = Replace(xml, "<InstdAmt Ccy=\"SAR\">1250.50</InstdAmt>",
                                         "<InstdAmt Ccy=\"SAR\">1250.123456</InstdAmt>");
  Status bad_amount = Schemas().Validate(MessageType::kPain001, six_digits);
  ASSERT_FALSE(bad_amount.ok());
  EXPECT_TRUE(Contains(Msg(bad_amount), "InstdAmt"));
  EXPECT_TRUE(Contains(Msg(bad_amount), "fractionDigits"));
  // Parse rejects it too (SAR has 2 minor digits), naming the path.
  Result<Pain001> parsed = ParsePain001(six_digits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(parsed.status()),
                       "/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf/Amt/InstdAmt"));

  // An invalid currency code attribute.
  Status bad_currency = Schemas().Validate(
      MessageType::kPain001, Replace(xml, "<InstdAmt Ccy=\"SAR\">", "<InstdAmt Ccy=\"sar\">"));
  ASSERT_FALSE(bad_currency.ok());
  EXPECT_TRUE(Contains(Msg(bad_currency), "CdtTrfTxInf/Amt/InstdAmt: "));
  EXPECT_TRUE(Contains(Msg(bad_currency), "attribute 'Ccy'"));

  // A missing mandatory element.
  Status no_msg_id = Schemas().Validate(
      MessageType::kPain001, Replace(xml, "<MsgId>GOVPAY-SETTLE-20261124-0001</MsgId>", ""));
  ASSERT_FALSE(no_msg_id.ok());
  EXPECT_TRUE(Contains(Msg(no_msg_id), "MsgId"));
  Status no_e2e = Schemas().Validate(
      MessageType::kPain001, Replace(xml, "<EndToEndId>REFUND-BILL-9000123</EndToEndId>", ""));
  ASSERT_FALSE(no_e2e.ok());
  EXPECT_TRUE(Contains(Msg(no_e2e), "EndToEndId"));
  Result<Pain001> parsed_no_e2e =
      ParsePain001(Replace(xml, "<EndToEndId>REFUND-BILL-9000123</EndToEndId>", ""));
  ASSERT_FALSE(parsed_no_e2e.ok());
  EXPECT_TRUE(Contains(Msg(parsed_no_e2e.status()), "PmtId/EndToEndId"));

  // An id longer than Max35Text.
  Status long_id = Schemas().Validate(MessageType::kPain001,
                                      Replace(xml, "<MsgId>GOVPAY-SETTLE-20261124-0001</MsgId>",
                                              "<MsgId>" + std::string(36, 'A') + "</MsgId>"));
  ASSERT_FALSE(long_id.ok());
  EXPECT_TRUE(Contains(Msg(long_id), "MsgId"));
}

TEST(Iso20022Pain001Test, ParseChecksNumberOfTransactionsAndControlSum) {
  const std::string xml = BuildPain001(SamplePain001());
  Result<Pain001> bad_sum =
      ParsePain001(Replace(xml, "<CtrlSum>1262.845</CtrlSum>", "<CtrlSum>1262.846</CtrlSum>"));
  ASSERT_FALSE(bad_sum.ok());
  EXPECT_TRUE(Contains(Msg(bad_sum.status()), "/Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum"));
  Result<Pain001> bad_count =
      ParsePain001(Replace(xml, "<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>"));
  ASSERT_FALSE(bad_count.ok());
  EXPECT_TRUE(Contains(Msg(bad_count.status()), "NbOfTxs"));
}

TEST(Iso20022Pain001Test, ParseRejectsAnotherMessageType) {
  Result<Pain001> parsed = ParsePain001(BuildPacs002(SampleStatusReport()));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(parsed.status()), "pain.001.001.09"));
}

// ----- pain.008 -----

TEST(Iso20022Pain008Test, BuildsValidXmlAndParsesBack) {
  const Pain008 original = SamplePain008();
  const std::string xml = BuildPain008(original);
  ExpectValid(MessageType::kPain008, xml);
  EXPECT_TRUE(Contains(xml, "<PmtMtd>DD</PmtMtd>"));
  EXPECT_TRUE(Contains(xml, "<SeqTp>OOFF</SeqTp>"));
  EXPECT_TRUE(Contains(xml, "<CtrlSum>300.05</CtrlSum>"));
  EXPECT_TRUE(Contains(xml, "<ReqdColltnDt>2026-11-26</ReqdColltnDt>"));
  EXPECT_TRUE(Contains(xml, "<CreDtTm>2026-11-24T08:00:00.250Z</CreDtTm>"));

  Result<Pain008> parsed = ParsePain008(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message_id, original.message_id);
  EXPECT_EQ(parsed->creation_time_ms, original.creation_time_ms);
  EXPECT_EQ(parsed->initiating_party, original.initiating_party);
  EXPECT_EQ(parsed->payment_info_id, original.payment_info_id);
  EXPECT_EQ(parsed->requested_collection_date_ms, original.requested_collection_date_ms);
  ExpectAccountEq(parsed->creditor, original.creditor, "creditor");
  EXPECT_EQ(parsed->creditor_scheme_id, original.creditor_scheme_id);
  ASSERT_EQ(parsed->debits.size(), original.debits.size());
  for (size_t i = 0; i < original.debits.size(); ++i) {
    const DirectDebit& p = parsed->debits[i];
    const DirectDebit& o = original.debits[i];
    const std::string where = "debit " + std::to_string(i);
    EXPECT_EQ(p.instruction_id, o.instruction_id) << where;
    EXPECT_EQ(p.end_to_end_id, o.end_to_end_id) << where;
    ExpectMoneyEq(p.amount, o.amount, where);
    EXPECT_EQ(p.mandate_id, o.mandate_id) << where;
    EXPECT_EQ(p.mandate_signature_date_ms, o.mandate_signature_date_ms) << where;
    ExpectAccountEq(p.debtor, o.debtor, where);
    EXPECT_EQ(p.remittance, o.remittance) << where;
  }
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022Pain008Test, MixedCurrenciesGetOnePaymentInfoEach) {
  Pain008 m = SamplePain008();
  m.debits[1].amount = M("JOD", 2500);  // 2.500 JOD
  const std::string xml = BuildPain008(m);
  ExpectValid(MessageType::kPain008, xml);
  EXPECT_TRUE(Contains(xml, "<PmtInfId>COLLECT-20261124-JOD</PmtInfId>"));
  EXPECT_TRUE(Contains(xml, "<CtrlSum>302.500</CtrlSum>"));
  Result<Pain008> parsed = ParsePain008(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == m);
}

// ----- pacs.002 / pain.002 -----

void ExpectReportEq(const StatusReport& p, const StatusReport& o) {
  EXPECT_EQ(p.message_id, o.message_id);
  EXPECT_EQ(p.creation_time_ms, o.creation_time_ms);
  EXPECT_EQ(p.original_message_id, o.original_message_id);
  EXPECT_EQ(p.original_message_type, o.original_message_type);
  EXPECT_EQ(p.group_status, o.group_status);
  EXPECT_EQ(p.group_reason_code, o.group_reason_code);
  EXPECT_EQ(p.group_reason_text, o.group_reason_text);
  ASSERT_EQ(p.transactions.size(), o.transactions.size());
  for (size_t i = 0; i < o.transactions.size(); ++i) {
    const TxStatusReport& pt = p.transactions[i];
    const TxStatusReport& ot = o.transactions[i];
    const std::string where = "transaction " + std::to_string(i);
    EXPECT_EQ(pt.original_end_to_end_id, ot.original_end_to_end_id) << where;
    EXPECT_EQ(pt.original_instruction_id, ot.original_instruction_id) << where;
    EXPECT_EQ(pt.status_code, ot.status_code) << where;
    EXPECT_EQ(pt.status, ot.status) << where;
    EXPECT_EQ(pt.reason_code, ot.reason_code) << where;
    EXPECT_EQ(pt.reason_text, ot.reason_text) << where;
    ASSERT_EQ(pt.amount.has_value(), ot.amount.has_value()) << where;
    if (ot.amount.has_value()) ExpectMoneyEq(*pt.amount, *ot.amount, where);
    EXPECT_EQ(pt.account_servicer_reference, ot.account_servicer_reference) << where;
  }
}

TEST(Iso20022StatusReportTest, Pacs002BuildsValidXmlAndParsesBack) {
  StatusReport original = SampleStatusReport();
  original.original_payment_info_id.clear();  // Not carried by pacs.002.
  const std::string xml = BuildPacs002(original);
  ExpectValid(MessageType::kPacs002, xml);
  EXPECT_TRUE(Contains(xml, "<IntrBkSttlmAmt Ccy=\"JOD\">0.005</IntrBkSttlmAmt>"));
  EXPECT_TRUE(Contains(xml, "<Cd>AM04</Cd>"));
  Result<StatusReport> parsed = ParsePacs002(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectReportEq(*parsed, original);
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022StatusReportTest, Pain002BuildsValidXmlAndParsesBack) {
  const StatusReport original = SampleStatusReport();
  const std::string xml = BuildPain002(original);
  ExpectValid(MessageType::kPain002, xml);
  EXPECT_TRUE(Contains(xml, "<OrgnlPmtInfId>COLLECT-20261124</OrgnlPmtInfId>"));
  EXPECT_TRUE(Contains(xml, "<InstdAmt Ccy=\"SAR\">300.00</InstdAmt>"));
  Result<StatusReport> parsed = ParsePain002(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectReportEq(*parsed, original);
  EXPECT_EQ(parsed->original_payment_info_id, original.original_payment_info_id);
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022StatusReportTest, WholeFileRejectionAndDerivedCodes) {
  StatusReport r;
  r.message_id = "BANK-STS-1";
  r.creation_time_ms = Ms("2026-11-26T06:30:00Z");
  r.original_message_id = "GOVPAY-DD-20261124-0001";
  r.original_message_type = "pain.008.001.08";
  r.group_status = "RJCT";
  r.group_reason_code = "FF01";
  r.group_reason_text = "Invalid file format";
  for (const std::string& xml : {BuildPain002(r), BuildPacs002(r)}) {
    MessageType type =
        xml.find("pain.002") != std::string::npos ? MessageType::kPain002 : MessageType::kPacs002;
    ExpectValid(type, xml);
    Result<StatusReport> parsed =
        type == MessageType::kPain002 ? ParsePain002(xml) : ParsePacs002(xml);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(*parsed == r);
  }

  // No raw code: written from the enum; a long reason code goes to Prtry.
  TxStatusReport t;
  t.original_end_to_end_id = "E2E-1";
  t.status = TxStatus::kAccepted;
  t.reason_code = "BANK-SPECIFIC-REASON";
  r.group_status.clear();
  r.transactions = {t};
  const std::string xml = BuildPacs002(r);
  ExpectValid(MessageType::kPacs002, xml);
  EXPECT_TRUE(Contains(xml, "<TxSts>ACSP</TxSts>"));
  EXPECT_TRUE(Contains(xml, "<Prtry>BANK-SPECIFIC-REASON</Prtry>"));
  Result<StatusReport> parsed = ParsePacs002(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->transactions[0].status_code, "ACSP");
  EXPECT_EQ(parsed->transactions[0].status, TxStatus::kAccepted);
  EXPECT_EQ(parsed->transactions[0].reason_code, "BANK-SPECIFIC-REASON");
}

TEST(Iso20022StatusReportTest, TransactionWithoutTxStsFollowsTheGroupStatus) {
  StatusReport r = SampleStatusReport();
  r.group_status = "ACSC";
  r.transactions.resize(1);
  const std::string xml = Replace(BuildPain002(r), "<TxSts>ACSC</TxSts>", "");
  ExpectValid(MessageType::kPain002, xml);
  Result<StatusReport> parsed = ParsePain002(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->transactions.size(), 1u);
  EXPECT_EQ(parsed->transactions[0].status_code, "");
  EXPECT_EQ(parsed->transactions[0].status, TxStatus::kSettled);
}

TEST(Iso20022StatusReportTest, StatusCodeMapping) {
  EXPECT_EQ(TxStatusFromCode("ACSC"), TxStatus::kSettled);
  EXPECT_EQ(TxStatusFromCode("ACCC"), TxStatus::kSettled);
  EXPECT_EQ(TxStatusFromCode("RJCT"), TxStatus::kRejected);
  EXPECT_EQ(TxStatusFromCode("CANC"), TxStatus::kRejected);
  EXPECT_EQ(TxStatusFromCode("PDNG"), TxStatus::kPending);
  EXPECT_EQ(TxStatusFromCode("RCVD"), TxStatus::kPending);
  EXPECT_EQ(TxStatusFromCode("ZZZZ"), TxStatus::kPending);
  EXPECT_EQ(TxStatusFromCode(""), TxStatus::kPending);
  for (std::string_view code :
       {"ACCP", "ACTC", "ACSP", "ACWC", "ACWP", "ACFC", "ACIS", "PATC", "PART"}) {
    EXPECT_EQ(TxStatusFromCode(code), TxStatus::kAccepted) << code;
  }
  for (TxStatus s :
       {TxStatus::kAccepted, TxStatus::kSettled, TxStatus::kRejected, TxStatus::kPending}) {
    EXPECT_EQ(TxStatusFromCode(TxStatusCode(s)), s);
  }
}

// ----- camt.054 / camt.053 -----

void ExpectEntriesEq(const std::vector<StatementEntry>& p, const std::vector<StatementEntry>& o) {
  ASSERT_EQ(p.size(), o.size());
  for (size_t i = 0; i < o.size(); ++i) {
    const std::string where = "entry " + std::to_string(i);
    EXPECT_EQ(p[i].entry_reference, o[i].entry_reference) << where;
    ExpectMoneyEq(p[i].amount, o[i].amount, where);
    EXPECT_EQ(p[i].credit, o[i].credit) << where;
    EXPECT_EQ(p[i].status, o[i].status) << where;
    EXPECT_EQ(p[i].booking_date_ms, o[i].booking_date_ms) << where;
    EXPECT_EQ(p[i].value_date_ms, o[i].value_date_ms) << where;
    EXPECT_EQ(p[i].account_servicer_reference, o[i].account_servicer_reference) << where;
    EXPECT_EQ(p[i].end_to_end_id, o[i].end_to_end_id) << where;
    EXPECT_EQ(p[i].remittance, o[i].remittance) << where;
    EXPECT_EQ(p[i].debtor_name, o[i].debtor_name) << where;
    EXPECT_EQ(p[i].debtor_iban, o[i].debtor_iban) << where;
  }
}

TEST(Iso20022CamtTest, Camt054BuildsValidXmlAndParsesBack) {
  const Camt054 original = SampleCamt054();
  const std::string xml = BuildCamt054(original);
  ExpectValid(MessageType::kCamt054, xml);
  EXPECT_TRUE(Contains(xml, "<Amt Ccy=\"JOD\">7.500</Amt>"));
  EXPECT_TRUE(Contains(xml, "<Ustrd>BILL 9000456</Ustrd>"));
  Result<Camt054> parsed = ParseCamt054(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message_id, original.message_id);
  EXPECT_EQ(parsed->creation_time_ms, original.creation_time_ms);
  EXPECT_EQ(parsed->notification_id, original.notification_id);
  ExpectAccountEq(parsed->account, original.account, "account");
  ExpectEntriesEq(parsed->entries, original.entries);
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022CamtTest, Camt053BuildsValidXmlAndParsesBack) {
  const Camt053 original = SampleCamt053();
  const std::string xml = BuildCamt053(original);
  ExpectValid(MessageType::kCamt053, xml);
  EXPECT_TRUE(Contains(xml, "<Cd>OPBD</Cd>"));
  // The negative closing balance: its absolute amount, debit.
  const size_t closing = xml.find("<Cd>CLBD</Cd>");
  ASSERT_NE(closing, std::string::npos);
  const std::string closing_bal = xml.substr(closing, xml.find("</Bal>", closing) - closing);
  EXPECT_TRUE(Contains(closing_bal, "<Amt Ccy=\"SAR\">2500.75</Amt>"));
  EXPECT_TRUE(Contains(closing_bal, "<CdtDbtInd>DBIT</CdtDbtInd>"));
  EXPECT_TRUE(Contains(closing_bal, "<DtTm>2026-11-24T23:59:59Z</DtTm>"));
  Result<Camt053> parsed = ParseCamt053(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message_id, original.message_id);
  EXPECT_EQ(parsed->creation_time_ms, original.creation_time_ms);
  EXPECT_EQ(parsed->statement_id, original.statement_id);
  ExpectAccountEq(parsed->account, original.account, "account");
  EXPECT_EQ(parsed->from_ms, original.from_ms);
  EXPECT_EQ(parsed->to_ms, original.to_ms);
  ExpectMoneyEq(parsed->opening_balance, original.opening_balance, "opening");
  ExpectMoneyEq(parsed->closing_balance, original.closing_balance, "closing");
  ExpectEntriesEq(parsed->entries, original.entries);
  EXPECT_TRUE(*parsed == original);
}

TEST(Iso20022CamtTest, Camt053WithoutClosingBalanceIsRejectedByParse) {
  const std::string xml = BuildCamt053(SampleCamt053());
  Result<Camt053> parsed = ParseCamt053(Replace(xml, "<Cd>CLBD</Cd>", "<Cd>ITBD</Cd>"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(Contains(Msg(parsed.status()), "/Document/BkToCstmrStmt/Stmt/Bal"));
  EXPECT_TRUE(Contains(Msg(parsed.status()), "CLBD"));
}

// A bank's own camt.054 (not written by BuildCamt054): a batch entry with two transactions, an
// entry without details, and nothing optional beyond that.
constexpr char kBankCamt054[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
 <BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>2026-11-24T17:15:30+03:00</CreDtTm></GrpHdr>
  <Ntfctn>
   <Id>N1</Id>
   <Acct><Id><IBAN>SA0380000000608010167519</IBAN></Id></Acct>
   <Ntry>
    <Amt Ccy="SAR">150.000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Prtry>BOOKED</Prtry></Sts>
    <BkTxCd><Prtry><Cd>CASH-DEPOSIT</Cd></Prtry></BkTxCd>
    <NtryDtls>
     <TxDtls><Amt Ccy="SAR">100.00</Amt><RmtInf><Ustrd>BILL 1</Ustrd></RmtInf></TxDtls>
     <TxDtls><Amt Ccy="SAR">50</Amt><RmtInf><Ustrd>BILL 2</Ustrd></RmtInf></TxDtls>
    </NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="SAR">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>CHRG</SubFmlyCd></Fmly></Domn></BkTxCd>
   </Ntry>
  </Ntfctn>
 </BkToCstmrDbtCdtNtfctn>
</Document>
)";

TEST(Iso20022CamtTest, Camt054FromABankSplitsBatchEntries) {
  ExpectValid(MessageType::kCamt054, kBankCamt054);
  Result<Camt054> parsed = ParseCamt054(kBankCamt054);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->creation_time_ms, Ms("2026-11-24T14:15:30Z"));
  EXPECT_EQ(parsed->account.iban, "SA0380000000608010167519");
  EXPECT_EQ(parsed->account.bic, "");
  EXPECT_EQ(parsed->account.name, "");
  ASSERT_EQ(parsed->entries.size(), 3u);
  EXPECT_EQ(parsed->entries[0].amount, M("SAR", 10000));
  EXPECT_EQ(parsed->entries[0].remittance, "BILL 1");
  EXPECT_EQ(parsed->entries[0].status, "BOOKED");
  EXPECT_EQ(parsed->entries[1].amount, M("SAR", 5000));
  EXPECT_EQ(parsed->entries[1].remittance, "BILL 2");
  EXPECT_EQ(parsed->entries[2].amount, M("SAR", 100));
  EXPECT_FALSE(parsed->entries[2].credit);
  EXPECT_EQ(parsed->entries[2].booking_date_ms, 0);
  EXPECT_EQ(parsed->entries[2].remittance, "");
}

TEST(Iso20022CamtTest, SchemaValidAmountInAnUnknownCurrencyIsRejectedByParse) {
  const std::string xml =
      Replace(kBankCamt054, "<Amt Ccy=\"SAR\">1</Amt>", "<Amt Ccy=\"XYZ\">1</Amt>");
  ExpectValid(MessageType::kCamt054, xml);  // [A-Z]{3} is all the schema asks.
  Result<Camt054> parsed = ParseCamt054(xml);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(parsed.status()), "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[2]/Amt"));
  EXPECT_TRUE(Contains(Msg(parsed.status()), "XYZ"));

  // Too many decimals for SAR, though within the schema's 5.
  const std::string three =
      Replace(kBankCamt054, "<Amt Ccy=\"SAR\">100.00</Amt>", "<Amt Ccy=\"SAR\">100.001</Amt>");
  ExpectValid(MessageType::kCamt054, three);
  Result<Camt054> parsed_three = ParseCamt054(three);
  ASSERT_FALSE(parsed_three.ok());
  EXPECT_TRUE(Contains(Msg(parsed_three.status()), "/Ntfctn/Ntry[1]/NtryDtls/TxDtls[1]/Amt"));
}

// ----- Hostile input -----

std::string PasswdFirstLine() {
  std::ifstream in("/etc/passwd");
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(Iso20022HostileInputTest, ExternalEntityIsNeverExpanded) {
  const std::string passwd = PasswdFirstLine();
  ASSERT_FALSE(passwd.empty());
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10\"><FIToFIPmtStsRpt>"
      "<GrpHdr><MsgId>&xxe;</MsgId><CreDtTm>2026-11-24T10:15:30Z</CreDtTm></GrpHdr>"
      "</FIToFIPmtStsRpt></Document>";
  Status validated = Schemas().Validate(MessageType::kPacs002, xxe);
  ASSERT_FALSE(validated.ok());
  EXPECT_TRUE(Contains(Msg(validated), "DOCTYPE"));
  EXPECT_TRUE(Lacks(Msg(validated), passwd));
  Result<MessageType> detected = Schemas().Detect(xxe);
  ASSERT_FALSE(detected.ok());
  EXPECT_TRUE(Lacks(Msg(detected.status()), passwd));
  Result<StatusReport> parsed = ParsePacs002(xxe);
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(Lacks(Msg(parsed.status()), passwd));

  // An external DTD and an entity-expansion bomb are refused the same way.
  const std::string external_dtd =
      "<!DOCTYPE Document SYSTEM \"file:///etc/passwd\">"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10\"/>";
  EXPECT_FALSE(Schemas().Validate(MessageType::kPacs002, external_dtd).ok());
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    bomb += "\">";
  }
  bomb += "]><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">&lol9;</Document>";
  Status bombed = Schemas().Validate(MessageType::kCamt054, bomb);
  ASSERT_FALSE(bombed.ok());
  EXPECT_TRUE(Contains(Msg(bombed), "DOCTYPE"));
  EXPECT_FALSE(ParseCamt054(bomb).ok());
}

TEST(Iso20022HostileInputTest, SchemaLocationHintsAreIgnored) {
  // Validation uses only the loaded schemas: an xsi:schemaLocation pointing elsewhere (here an
  // unroutable address and a local file) is neither fetched nor obeyed.
  const std::string xml =
      Replace(BuildCamt054(SampleCamt054()),
              "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"",
              "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\" "
              "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
              "xsi:schemaLocation=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08 "
              "http://203.0.113.7/evil.xsd\" xsi:noNamespaceSchemaLocation=\"file:///etc/passwd\"");
  EXPECT_TRUE(Schemas().Validate(MessageType::kCamt054, xml).ok());
  EXPECT_TRUE(ParseCamt054(xml).ok());
  EXPECT_FALSE(Schemas()
                   .Validate(MessageType::kCamt054,
                             Replace(xml, "<Amt Ccy=\"JOD\">7.500</Amt>", "<Amt>7.500</Amt>"))
                   .ok());
}

TEST(Iso20022HostileInputTest, OversizedAndMalformedInputIsRejected) {
  std::string huge = BuildCamt054(SampleCamt054());
  huge.insert(huge.find("<BkToCstmrDbtCdtNtfctn>"),
              "<!--" + std::string(kMaxMessageBytes, 'x') + "-->");
  Status too_big = Schemas().Validate(MessageType::kCamt054, huge);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(Contains(Msg(too_big), "limit"));
  EXPECT_FALSE(ParseCamt054(huge).ok());

  Status truncated = Schemas().Validate(MessageType::kCamt054, "<Document xmlns=\"x\"><a>");
  ASSERT_FALSE(truncated.ok());
  EXPECT_TRUE(Contains(Msg(truncated), "well-formed"));
  EXPECT_TRUE(Contains(Msg(truncated), "line 1"));
  EXPECT_FALSE(ParseCamt053("").ok());
  EXPECT_FALSE(ParsePain008("<Document/>").ok());
}

// ----- Amounts, dates, ids -----

TEST(Iso20022AmountTest, FormatsWithExactlyTheCurrencysMinorDigits) {
  struct Case {
    const char* currency;
    int64_t minor;
    const char* text;
  };
  for (const Case& c : std::vector<Case>{{"JOD", 5, "0.005"},
                                         {"SAR", 12345, "123.45"},
                                         {"SYP", 100000000, "1000000.00"},
                                         {"JPY", 500, "500"},
                                         {"SAR", 0, "0.00"},
                                         {"KWD", 1000, "1.000"},
                                         {"SAR", -150, "-1.50"},
                                         {"JOD", 1234567, "1234.567"}}) {
    EXPECT_EQ(FormatAmount(M(c.currency, c.minor)), c.text) << c.currency << " " << c.minor;
    Result<Money> back = ParseAmount(c.text, c.currency);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, M(c.currency, c.minor));
  }
}

TEST(Iso20022AmountTest, ParsesDecimalsStrictly) {
  EXPECT_EQ(ParseAmount("12.340", "SAR").value(), M("SAR", 1234));  // Trailing zero: same value.
  EXPECT_EQ(ParseAmount(" 7 ", "SAR").value(), M("SAR", 700));
  EXPECT_EQ(ParseAmount("+1.5", "SAR").value(), M("SAR", 150));
  EXPECT_EQ(ParseAmount(".5", "SAR").value(), M("SAR", 50));
  EXPECT_EQ(ParseAmount("0.005", "JOD").value(), M("JOD", 5));

  Result<Money> too_precise = ParseAmount("12.345", "SAR");
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(too_precise.status()), "SAR"));
  EXPECT_TRUE(Contains(Msg(too_precise.status()), "3 fraction digits"));
  EXPECT_FALSE(ParseAmount("500.5", "JPY").ok());
  EXPECT_FALSE(ParseAmount("1.0001", "JOD").ok());
  for (const char* bad : {"", ".", "abc", "1e3", "1,5", "1.2.3", "--1", "12 .5", "NaN"}) {
    EXPECT_FALSE(ParseAmount(bad, "SAR").ok()) << bad;
  }
  EXPECT_FALSE(ParseAmount("99999999999999999999", "SAR").ok());
  Result<Money> unknown = ParseAmount("1.00", "XYZ");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(Contains(Msg(unknown.status()), "XYZ"));
}

TEST(Iso20022DateTest, FormatsAndParsesIsoDatesAndTimes) {
  const int64_t t = Ms("2026-11-24T10:15:30Z");
  EXPECT_EQ(FormatIsoDateTime(t), "2026-11-24T10:15:30Z");
  EXPECT_EQ(FormatIsoDateTime(t + 250), "2026-11-24T10:15:30.250Z");
  EXPECT_EQ(FormatIsoDate(t), "2026-11-24");
  EXPECT_EQ(FormatIsoDateTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoDateTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(t, 1795515330000);
  EXPECT_EQ(Ms("2026-11-24T13:15:30+03:00"), t);
  EXPECT_EQ(Ms("2026-11-24T05:45:30-04:30"), t);
  EXPECT_EQ(Ms("2026-11-24T10:15:30"), t);  // No zone: UTC.
  EXPECT_EQ(Ms("2026-11-24T10:15:30.1234Z"), t + 123);
  EXPECT_EQ(Ms("2026-11-23T24:00:00Z"), Day("2026-11-24"));
  EXPECT_EQ(Day("2026-11-24"), Ms("2026-11-24T00:00:00Z"));
  EXPECT_EQ(Day("2026-11-24+03:00"), Day("2026-11-24"));
  EXPECT_EQ(ParseIsoDate("2024-02-29").value(), Ms("2024-02-29T00:00:00Z"));
  for (const char* bad :
       {"", "2026-11-24 10:15:30Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-24T10:60:00Z", "2026-11-24T10:15:30.Z", "2026-11-24T10:15:30+15:00",
        "2026-11-24T10:15", "26-11-24T10:15:30Z", "2026-11-24T24:00:01Z"}) {
    EXPECT_FALSE(ParseIsoDateTime(bad).ok()) << bad;
  }
  for (const char* bad : {"", "2026-11-31", "2026/11/24", "2026-11-24T00:00:00Z"}) {
    EXPECT_FALSE(ParseIsoDate(bad).ok()) << bad;
  }
}

TEST(Iso20022IdentifierTest, CheckMax35Text) {
  EXPECT_TRUE(CheckMax35Text("id", std::string(35, 'A')).ok());
  EXPECT_TRUE(CheckMax35Text("id", "GOVPAY-SETTLE-20261124-0001").ok());
  std::string arabic;
  for (int i = 0; i < 35; ++i) arabic += "ب";  // 35 characters, 70 bytes.
  EXPECT_TRUE(CheckMax35Text("id", arabic).ok());
  Status too_long = CheckMax35Text("refund.end_to_end_id", std::string(36, 'A'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Msg(too_long), "refund.end_to_end_id"));
  EXPECT_TRUE(Contains(Msg(too_long), "36"));
  EXPECT_FALSE(CheckMax35Text("id", "").ok());
  EXPECT_FALSE(CheckMax35Text("id", arabic + "x").ok());
  EXPECT_FALSE(CheckMax35Text("id", std::string("A\x01")).ok());
  EXPECT_FALSE(CheckMax35Text("id", "\xC3\x28").ok());
  EXPECT_FALSE(CheckMax35Text("id", "\xE0\x80\xAF").ok());  // Overlong.
}

// ----- Concurrency -----

TEST(Iso20022ConcurrencyTest, OneSchemaSetValidatesFromEightThreads) {
  const std::vector<std::pair<MessageType, std::string>> messages = {
      {MessageType::kPain001, BuildPain001(SamplePain001())},
      {MessageType::kPain008, BuildPain008(SamplePain008())},
      {MessageType::kPacs002, BuildPacs002(SampleStatusReport())},
      {MessageType::kPain002, BuildPain002(SampleStatusReport())},
      {MessageType::kCamt054, BuildCamt054(SampleCamt054())},
      {MessageType::kCamt053, BuildCamt053(SampleCamt053())},
  };
  const std::string invalid =
      Replace(messages[0].second, "<IBAN>SA0380000000608010167519</IBAN>", "<IBAN>bad</IBAN>");
  const SchemaSet& schemas = Schemas();
  std::atomic<int> ok{0};
  std::atomic<int> failures{0};
  std::atomic<int> invalid_rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto& [type, xml] = messages[(t + i) % messages.size()];
        if (schemas.Validate(type, xml).ok()) {
          ++ok;
        } else {
          ++failures;
        }
        if (i % 50 == 0 && !schemas.Validate(MessageType::kPain001, invalid).ok()) {
          ++invalid_rejected;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 200);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(invalid_rejected.load(), 8 * 4);
}

}  // namespace
}  // namespace pay::iso20022
