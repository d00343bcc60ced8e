// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "records.h"

#include "coding.h"

namespace pay::internal {
namespace {

constexpr uint8_t kFormatVersion = 1;

Status CheckVersion(Decoder& decoder, std::string_view what) {
  uint8_t version = 0;
  if (!decoder.GetByte(&version)) return decoder.Finish(what);
  if (version != kFormatVersion) {
    return absl::DataLossError(std::string(what) + " has unknown format version " +
                               std::to_string(version));
  }
  return absl::OkStatus();
}

void PutText(std::string* out, const LocalizedText& text) {
  PutString(out, text.en);
  PutString(out, text.ar);
}

bool GetText(Decoder& decoder, LocalizedText* text) {
  return decoder.GetString(&text->en) && decoder.GetString(&text->ar);
}

void PutTerms(std::string* out, const FeeTerms& terms) {
  PutByte(out, static_cast<uint8_t>(terms.amount_rule));
  PutByte(out, static_cast<uint8_t>(terms.overpayment));
  PutVarint(out, terms.revenue_shares.size());
  for (const RevenueShare& share : terms.revenue_shares) {
    PutString(out, share.label);
    PutByte(out, share.fixed ? 1 : 0);
    if (share.fixed) PutMoney(out, *share.fixed);
    PutSigned(out, share.basis_points);
  }
  PutByte(out, terms.penalty ? 1 : 0);
  if (terms.penalty) {
    PutByte(out, static_cast<uint8_t>(terms.penalty->kind));
    PutByte(out, terms.penalty->kind == PenaltyKind::kFixed ? 1 : 0);
    if (terms.penalty->kind == PenaltyKind::kFixed) PutMoney(out, terms.penalty->fixed_amount);
    PutSigned(out, terms.penalty->basis_points);
    PutSigned(out, terms.penalty->period_seconds);
    PutMoney(out, terms.penalty->cap);
  }
}

bool GetTerms(Decoder& decoder, FeeTerms* terms) {
  uint8_t amount_rule = 0;
  uint8_t overpayment = 0;
  uint64_t count = 0;
  if (!decoder.GetByte(&amount_rule) || !decoder.GetByte(&overpayment) ||
      !decoder.GetVarint(&count) || count > 64) {
    return false;
  }
  if (amount_rule < 1 || amount_rule > 2 || overpayment < 1 || overpayment > 2) return false;
  terms->amount_rule = static_cast<AmountRule>(amount_rule);
  terms->overpayment = static_cast<OverpaymentRule>(overpayment);
  terms->revenue_shares.clear();
  for (uint64_t i = 0; i < count; ++i) {
    RevenueShare share;
    uint8_t has_fixed = 0;
    int64_t basis_points = 0;
    if (!decoder.GetString(&share.label) || !decoder.GetByte(&has_fixed)) return false;
    if (has_fixed != 0) {
      Money fixed;
      if (!decoder.GetMoney(&fixed)) return false;
      share.fixed = fixed;
    }
    if (!decoder.GetSigned(&basis_points)) return false;
    share.basis_points = static_cast<int32_t>(basis_points);
    terms->revenue_shares.push_back(std::move(share));
  }
  uint8_t has_penalty = 0;
  if (!decoder.GetByte(&has_penalty)) return false;
  terms->penalty.reset();
  if (has_penalty != 0) {
    Penalty penalty;
    uint8_t kind = 0;
    uint8_t has_fixed = 0;
    int64_t basis_points = 0;
    if (!decoder.GetByte(&kind) || kind < 1 || kind > 2 || !decoder.GetByte(&has_fixed)) {
      return false;
    }
    penalty.kind = static_cast<PenaltyKind>(kind);
    if (has_fixed != 0 && !decoder.GetMoney(&penalty.fixed_amount)) return false;
    if (!decoder.GetSigned(&basis_points) || !decoder.GetSigned(&penalty.period_seconds) ||
        !decoder.GetMoney(&penalty.cap)) {
      return false;
    }
    penalty.basis_points = static_cast<int32_t>(basis_points);
    terms->penalty = std::move(penalty);
  }
  return true;
}

}  // namespace

std::string EncodeFee(const Fee& fee) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, fee.fee_id);
  PutString(&out, fee.agency_id);
  PutString(&out, fee.bill_number);
  PutMoney(&out, fee.amount);
  PutText(&out, fee.description);
  PutString(&out, fee.payer_reference);
  PutSigned(&out, fee.due_time_ms);
  PutSigned(&out, fee.expire_time_ms);
  PutByte(&out, static_cast<uint8_t>(fee.state));
  PutString(&out, fee.paid_by_payment_id);
  PutString(&out, fee.active_payment_id);
  PutSigned(&out, fee.create_time_ms);
  PutSigned(&out, fee.update_time_ms);
  PutVarint(&out, fee.ledger_sequence);
  // Added with fee types: optional on read, in this order.
  PutString(&out, fee.fee_type_code);
  PutSigned(&out, fee.fee_type_version);
  PutTerms(&out, fee.terms);
  PutSigned(&out, fee.amount_paid_minor_units);
  PutSigned(&out, fee.penalty_total_minor_units);
  PutSigned(&out, fee.waived_total_minor_units);
  PutSigned(&out, fee.penalty_periods);
  return out;
}

Status DecodeFee(std::string_view bytes, Fee* fee) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "fee"));
  uint8_t state = 0;
  decoder.GetString(&fee->fee_id) && decoder.GetString(&fee->agency_id) &&
      decoder.GetString(&fee->bill_number) && decoder.GetMoney(&fee->amount) &&
      GetText(decoder, &fee->description) && decoder.GetString(&fee->payer_reference) &&
      decoder.GetSigned(&fee->due_time_ms) && decoder.GetSigned(&fee->expire_time_ms) &&
      decoder.GetByte(&state) && decoder.GetString(&fee->paid_by_payment_id) &&
      decoder.GetString(&fee->active_payment_id) && decoder.GetSigned(&fee->create_time_ms) &&
      decoder.GetSigned(&fee->update_time_ms) && decoder.GetVarint(&fee->ledger_sequence);
  fee->fee_type_code.clear();
  fee->fee_type_version = 0;
  fee->terms = FeeTerms();
  fee->amount_paid_minor_units = 0;
  fee->penalty_total_minor_units = 0;
  fee->waived_total_minor_units = 0;
  fee->penalty_periods = 0;
  if (!decoder.done()) {
    int64_t version = 0;
    int64_t periods = 0;
    const bool ok =
        decoder.GetString(&fee->fee_type_code) && decoder.GetSigned(&version) &&
        GetTerms(decoder, &fee->terms) && decoder.GetSigned(&fee->amount_paid_minor_units) &&
        decoder.GetSigned(&fee->penalty_total_minor_units) &&
        decoder.GetSigned(&fee->waived_total_minor_units) && decoder.GetSigned(&periods);
    if (!ok) return absl::DataLossError("stored fee has malformed fee type terms");
    fee->fee_type_version = static_cast<int32_t>(version);
    fee->penalty_periods = static_cast<int32_t>(periods);
  }
  PAY_RETURN_IF_ERROR(decoder.Finish("fee"));
  std::optional<FeeState> fee_state = FeeStateFromByte(state);
  if (!fee_state) return absl::DataLossError("stored fee has unknown state");
  fee->state = *fee_state;
  return absl::OkStatus();
}

std::string EncodePayment(const Payment& payment) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, payment.payment_id);
  PutString(&out, payment.fee_id);
  PutString(&out, payment.agency_id);
  PutString(&out, payment.bill_number);
  PutMoney(&out, payment.amount);
  PutByte(&out, static_cast<uint8_t>(payment.method));
  PutString(&out, payment.connector);
  PutByte(&out, static_cast<uint8_t>(payment.state));
  PutString(&out, payment.failure_code);
  PutString(&out, payment.failure_message);
  PutString(&out, payment.connector_reference);
  PutString(&out, payment.idempotency_key);
  PutString(&out, payment.initiated_by);
  PutString(&out, payment.payer_account);
  PutSigned(&out, payment.create_time_ms);
  PutSigned(&out, payment.update_time_ms);
  PutVarint(&out, payment.ledger_sequence);
  // Added after the first records: optional on read, in this order.
  PutByte(&out, payment.refund_due ? 1 : 0);
  PutVarint(&out, payment.revenue_postings.size());
  for (const Posting& posting : payment.revenue_postings) {
    PutString(&out, posting.account);
    PutMoney(&out, posting.amount);
  }
  PutSigned(&out, payment.refunded_minor_units);
  return out;
}

Status DecodePayment(std::string_view bytes, Payment* payment) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "payment"));
  uint8_t method = 0;
  uint8_t state = 0;
  decoder.GetString(&payment->payment_id) && decoder.GetString(&payment->fee_id) &&
      decoder.GetString(&payment->agency_id) && decoder.GetString(&payment->bill_number) &&
      decoder.GetMoney(&payment->amount) && decoder.GetByte(&method) &&
      decoder.GetString(&payment->connector) && decoder.GetByte(&state) &&
      decoder.GetString(&payment->failure_code) && decoder.GetString(&payment->failure_message) &&
      decoder.GetString(&payment->connector_reference) &&
      decoder.GetString(&payment->idempotency_key) && decoder.GetString(&payment->initiated_by) &&
      decoder.GetString(&payment->payer_account) && decoder.GetSigned(&payment->create_time_ms) &&
      decoder.GetSigned(&payment->update_time_ms) && decoder.GetVarint(&payment->ledger_sequence);
  uint8_t refund_due = 0;
  if (!decoder.done()) decoder.GetByte(&refund_due);
  payment->refund_due = refund_due != 0;
  payment->revenue_postings.clear();
  payment->refunded_minor_units = 0;
  if (!decoder.done()) {
    uint64_t count = 0;
    if (decoder.GetVarint(&count) && count <= 64) {
      for (uint64_t i = 0; i < count; ++i) {
        Posting posting;
        if (!decoder.GetString(&posting.account) || !decoder.GetMoney(&posting.amount)) break;
        payment->revenue_postings.push_back(std::move(posting));
      }
    }
    if (payment->revenue_postings.size() != count) {
      return absl::DataLossError("stored payment has malformed revenue postings");
    }
    decoder.GetSigned(&payment->refunded_minor_units);
  }
  PAY_RETURN_IF_ERROR(decoder.Finish("payment"));
  std::optional<PaymentMethod> payment_method = PaymentMethodFromByte(method);
  std::optional<PaymentState> payment_state = PaymentStateFromByte(state);
  if (!payment_method || !payment_state) {
    return absl::DataLossError("stored payment has unknown method or state");
  }
  payment->method = *payment_method;
  payment->state = *payment_state;
  return absl::OkStatus();
}

std::string EncodeAgency(const Agency& agency) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, agency.agency_id);
  PutText(&out, agency.name);
  PutSigned(&out, agency.create_time_ms);
  return out;
}

Status DecodeAgency(std::string_view bytes, Agency* agency) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "agency"));
  decoder.GetString(&agency->agency_id) && GetText(decoder, &agency->name) &&
      decoder.GetSigned(&agency->create_time_ms);
  return decoder.Finish("agency");
}

std::string EncodeCredential(const Credential& credential) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, credential.credential_id);
  PutByte(&out, static_cast<uint8_t>(credential.role));
  PutVarint(&out, credential.agency_ids.size());
  for (const std::string& agency_id : credential.agency_ids) PutString(&out, agency_id);
  PutString(&out, credential.display_name);
  PutSigned(&out, credential.create_time_ms);
  PutByte(&out, credential.revoked ? 1 : 0);
  PutSigned(&out, credential.revoke_time_ms);
  PutByte(&out, credential.approver ? 1 : 0);  // added later: optional on read
  return out;
}

Status DecodeCredential(std::string_view bytes, Credential* credential) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "credential"));
  uint8_t role = 0;
  uint64_t agency_count = 0;
  decoder.GetString(&credential->credential_id) && decoder.GetByte(&role) &&
      decoder.GetVarint(&agency_count);
  credential->agency_ids.clear();
  for (uint64_t i = 0; i < agency_count && i < 10'000; ++i) {
    std::string agency_id;
    if (!decoder.GetString(&agency_id)) break;
    credential->agency_ids.push_back(std::move(agency_id));
  }
  uint8_t revoked = 0;
  decoder.GetString(&credential->display_name) && decoder.GetSigned(&credential->create_time_ms) &&
      decoder.GetByte(&revoked) && decoder.GetSigned(&credential->revoke_time_ms);
  uint8_t approver = 0;
  if (!decoder.done()) decoder.GetByte(&approver);
  credential->approver = approver != 0;
  PAY_RETURN_IF_ERROR(decoder.Finish("credential"));
  std::optional<Role> decoded_role = RoleFromByte(role);
  if (!decoded_role || agency_count != credential->agency_ids.size()) {
    return absl::DataLossError("stored credential is malformed");
  }
  credential->role = *decoded_role;
  credential->revoked = revoked != 0;
  return absl::OkStatus();
}

std::string EncodeIdempotency(const IdempotencyRecord& record) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, record.fingerprint);
  PutString(&out, record.resource_id);
  PutSigned(&out, record.create_time_ms);
  return out;
}

Status DecodeIdempotency(std::string_view bytes, IdempotencyRecord* record) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "idempotency record"));
  decoder.GetString(&record->fingerprint) && decoder.GetString(&record->resource_id) &&
      decoder.GetSigned(&record->create_time_ms);
  return decoder.Finish("idempotency record");
}

std::string EncodeFeeType(const FeeType& fee_type) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, fee_type.agency_id);
  PutString(&out, fee_type.code);
  PutText(&out, fee_type.name);
  PutVarint(&out, fee_type.versions.size());
  for (const FeeTypeVersion& version : fee_type.versions) {
    PutSigned(&out, version.version);
    PutSigned(&out, version.effective_from_ms);
    PutMoney(&out, version.amount);
    PutTerms(&out, version.terms);
    PutString(&out, version.defined_by);
    PutSigned(&out, version.define_time_ms);
    PutVarint(&out, version.ledger_sequence);
  }
  return out;
}

Status DecodeFeeType(std::string_view bytes, FeeType* fee_type) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "fee type"));
  uint64_t count = 0;
  decoder.GetString(&fee_type->agency_id) && decoder.GetString(&fee_type->code) &&
      GetText(decoder, &fee_type->name) && decoder.GetVarint(&count);
  fee_type->versions.clear();
  for (uint64_t i = 0; i < count && i < 100'000; ++i) {
    FeeTypeVersion version;
    int64_t number = 0;
    if (!decoder.GetSigned(&number) || !decoder.GetSigned(&version.effective_from_ms) ||
        !decoder.GetMoney(&version.amount) || !GetTerms(decoder, &version.terms) ||
        !decoder.GetString(&version.defined_by) || !decoder.GetSigned(&version.define_time_ms) ||
        !decoder.GetVarint(&version.ledger_sequence)) {
      return absl::DataLossError("stored fee type has a malformed version");
    }
    version.version = static_cast<int32_t>(number);
    fee_type->versions.push_back(std::move(version));
  }
  PAY_RETURN_IF_ERROR(decoder.Finish("fee type"));
  if (fee_type->versions.size() != count)
    return absl::DataLossError("stored fee type is malformed");
  return absl::OkStatus();
}

}  // namespace pay::internal
