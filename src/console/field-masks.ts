/**
 * The field mask paths The Things Stack allows on each record's Get, List, Search and Update
 * (pkg/ttnpb/*.pb.paths.fm.go, `…FieldPathsNested`; the SDK's api-definition.json lists an older
 * subset). The API accepts every one of them: those of fields `orgs` keeps select or change them,
 * the others select nothing (an empty field is left out of an answer, as The Things Stack does).
 */

const CONTACTS = ['administrative_contact', 'technical_contact'].flatMap((contact) => [
  contact,
  `${contact}.ids`,
  `${contact}.ids.organization_ids`,
  `${contact}.ids.organization_ids.organization_id`,
  `${contact}.ids.user_ids`,
  `${contact}.ids.user_ids.email`,
  `${contact}.ids.user_ids.user_id`,
]);

/** What every record has: its identifiers, times, name, description, attributes, contacts. */
const RECORD = [
  'ids',
  'created_at',
  'updated_at',
  'deleted_at',
  'name',
  'description',
  'attributes',
  'contact_info',
  ...CONTACTS,
];

export const FIELD_MASK_PATHS: Record<'organization' | 'application' | 'gateway' | 'client', readonly string[]> = {
  organization: [...RECORD, 'ids.organization_id', 'fanout_notifications'],
  application: [
    ...RECORD,
    'ids.application_id',
    'application_server_address',
    'dev_eui_counter',
    'join_server_address',
    'network_server_address',
  ],
  gateway: [
    ...RECORD,
    'ids.gateway_id',
    'ids.eui',
    'antennas',
    'auto_update',
    'claim_authentication_code',
    'claim_authentication_code.secret',
    'claim_authentication_code.secret.key_id',
    'claim_authentication_code.secret.value',
    'claim_authentication_code.valid_from',
    'claim_authentication_code.valid_to',
    'disable_packet_broker_forwarding',
    'downlink_path_constraint',
    'enforce_duty_cycle',
    'frequency_plan_id',
    'frequency_plan_ids',
    'gateway_server_address',
    'lbs_lns_secret',
    'lbs_lns_secret.key_id',
    'lbs_lns_secret.value',
    'location_public',
    'lrfhss',
    'lrfhss.supported',
    'require_authenticated_connection',
    'schedule_anytime_delay',
    'schedule_downlink_late',
    'status_public',
    'target_cups_key',
    'target_cups_key.key_id',
    'target_cups_key.value',
    'target_cups_uri',
    'update_channel',
    'update_location_from_status',
    'version_ids',
    'version_ids.brand_id',
    'version_ids.firmware_version',
    'version_ids.hardware_version',
    'version_ids.model_id',
    'version_ids.runtime_version',
  ],
  client: [
    ...RECORD,
    'ids.client_id',
    'endorsed',
    'grants',
    'logout_redirect_uris',
    'redirect_uris',
    'rights',
    'secret',
    'skip_authorization',
    'state',
    'state_description',
  ],
};

/** UpdateAPIKey's (pkg/ttnpb/rights.pb.paths.fm.go, APIKeyFieldPathsNested). */
export const API_KEY_PATHS = ['created_at', 'expires_at', 'id', 'key', 'name', 'rights', 'updated_at'] as const;
