import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import {
  BodyValidator,
  CINDER_STYLE,
  Microversion,
  NOVA_STYLE,
  Type,
  anyType,
  byVersion,
  keyedMap,
  nullable,
  since,
  stringEnum,
  upTo,
  type TSchema,
} from '../../src/gateway/index.js';

const nova = new BodyValidator(NOVA_STYLE);
const cinder = new BodyValidator(CINDER_STYLE);

/** The 400 message a body gets, or 'OK'. */
function messageOf(validator: BodyValidator, schema: TSchema, body: unknown, version?: string): string {
  const check = validator.compile(schema);
  try {
    check(body, version === undefined ? undefined : Microversion.of(version));
    return 'OK';
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 400);
    return err.message;
  }
}

const wrap = (field: TSchema) => Type.Object({ thing: Type.Object({ f: Type.Optional(field) }, { additionalProperties: false }) }, { additionalProperties: false });

describe('validation messages: one per keyword, upstream wording', () => {
  const cases: [string, TSchema, unknown, string, string][] = [
    // name, field schema, value of `f`, Nova's reason, Cinder's reason
    ['type', Type.String(), 12, "12 is not of type 'string'", "12 is not of type 'string'"],
    ['type (several)', anyType(['integer', 'string']), true, "true is not of type 'integer', 'string'", "True is not of type 'integer', 'string'"],
    ['enum', stringEnum(['a', 'b']), 'c', "'c' is not one of ['a', 'b']", "'c' is not one of ['a', 'b']"],
    ['enum with booleans', anyType(['boolean', 'string'], { enum: [true, 'yes', null] }), 'no', "'no' is not one of [true, 'yes', null]", "'no' is not one of [True, 'yes', None]"],
    ['minLength', Type.String({ minLength: 2 }), 'x', "'x' is too short", "'x' is too short"],
    ['maxLength', Type.String({ maxLength: 2 }), 'xyz', "'xyz' is too long", "'xyz' is too long"],
    ['pattern', Type.String({ pattern: '^[0-9]+$' }), 'x', "'x' does not match '^[0-9]+$'", "'x' does not match '^[0-9]+$'"],
    ['format uuid', Type.String({ format: 'uuid' }), 'nope', "'nope' is not a 'uuid'", "'nope' is not a 'uuid'"],
    ['format ipv4', Type.String({ format: 'ipv4' }), '300.1.1.1', "'300.1.1.1' is not a 'ipv4'", "'300.1.1.1' is not a 'ipv4'"],
    ['format ipv6', Type.String({ format: 'ipv6' }), 'fe80::1%eth0', "'fe80::1%eth0' is not a 'ipv6'", "'fe80::1%eth0' is not a 'ipv6'"],
    ['format base64', Type.String({ format: 'base64' }), 'not base64!', "'not base64!' is not a 'base64'", "'not base64!' is not a 'base64'"],
    ['minimum', Type.Integer({ minimum: 1 }), 0, '0 is less than the minimum of 1', '0 is less than the minimum of 1'],
    ['maximum', Type.Integer({ maximum: 5 }), 6, '6 is greater than the maximum of 5', '6 is greater than the maximum of 5'],
    ['minimum of a numeric string', anyType(['integer', 'string'], { minimum: 1 }), '0', '0 is less than the minimum of 1', "'0' is less than the minimum of 1"],
    ['minItems', Type.Array(Type.String(), { minItems: 1 }), [], '[] is too short', '[] is too short'],
    ['maxItems', Type.Array(Type.Integer(), { maxItems: 1 }), [1, 2], '[1,2] is too long', '[1, 2] is too long'],
    ['uniqueItems', Type.Array(Type.String(), { uniqueItems: true }), ['a', 'a'], '["a","a"] has non-unique elements', "['a', 'a'] has non-unique elements"],
    ['minProperties', Type.Object({}, { minProperties: 1 }), {}, '{} does not have enough properties', '{} does not have enough properties'],
    ['maxProperties', Type.Object({}, { maxProperties: 0 }), { a: null }, '{"a":null} has too many properties', "{'a': None} has too many properties"],
    [
      'anyOf',
      Type.Union([Type.String({ format: 'uuid' }), Type.String({ maxLength: 0 })]),
      'x',
      "'x' is not valid under any of the given schemas",
      "'x' is not valid under any of the given schemas",
    ],
    ['anyOf explained by its only branch of that type', Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), 'x', "'x' is not a 'uuid'", "'x' is not a 'uuid'"],
  ];
  for (const [name, field, value, novaReason, cinderReason] of cases) {
    test(name, () => {
      const body = { thing: { f: value } };
      const shownNova = typeof value === 'string' ? value : JSON.stringify(value);
      assert.equal(messageOf(nova, wrap(field), body), `Invalid input for field/attribute f. Value: ${shownNova}. ${novaReason}`);
      const reprCinder = cinderReason.split(/ (is|does|has) /)[0];
      const shownCinder = typeof value === 'string' ? value : reprCinder;
      assert.equal(messageOf(cinder, wrap(field), body), `Invalid input for field/attribute f. Value: ${shownCinder}. ${cinderReason}`);
    });
  }

  test('required, and unexpected properties (all of them, after the other errors)', () => {
    const schema = Type.Object({ thing: Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()) }, { additionalProperties: false }) }, { additionalProperties: false });
    assert.equal(messageOf(nova, schema, { thing: { b: 1 } }), 'Invalid input for field/attribute thing. Value: {"b":1}. \'a\' is a required property');
    assert.equal(messageOf(cinder, schema, { thing: { b: 1 } }), "Invalid input for field/attribute thing. Value: {'b': 1}. 'a' is a required property");
    assert.equal(
      messageOf(nova, schema, { thing: { a: 'x', y: 1, z: 2 } }),
      'Invalid input for field/attribute thing. Value: {"a":"x","y":1,"z":2}. Additional properties are not allowed (\'y\', \'z\' were unexpected)',
    );
    assert.match(messageOf(nova, schema, { thing: { a: 'x', y: 1 } }), /\('y' was unexpected\)$/);
    assert.equal(
      messageOf(nova, schema, { thing: { a: 'x', b: 'no', y: 1 } }),
      "Invalid input for field/attribute b. Value: no. 'no' is not of type 'integer'",
      'a wrong property first',
    );
  });

  test('errors about the body itself: Nova names the field "body", Cinder gives the reason alone', () => {
    const schema = Type.Object({ thing: Type.Object({}) }, { additionalProperties: false });
    assert.equal(messageOf(nova, schema, {}), "Invalid input for field/attribute body. Value: {}. 'thing' is a required property");
    assert.equal(messageOf(cinder, schema, {}), "'thing' is a required property");
    assert.equal(messageOf(nova, schema, undefined), "Invalid input for field/attribute body. Value: None. None is not of type 'object'");
    assert.equal(messageOf(cinder, schema, 'just a string'), "'just a string' is not of type 'object'");
  });

  test("Nova's name and description formats are whole sentences naming the field", () => {
    const schema = Type.Object({ zone: Type.String({ format: 'name' }), text: Type.Optional(Type.String({ format: 'description' })) });
    assert.equal(messageOf(nova, schema, { zone: ' lead' }), "An invalid 'zone' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    assert.equal(
      messageOf(nova, schema, { zone: 'ok', text: 'bell\u0007' }),
      "An invalid 'text' value was provided. The description must be: printable characters with whitespace.",
    );
    assert.equal(messageOf(nova, schema, { zone: 'ok', text: 'two\nlines\tok' }), 'OK');
  });

  test("pattern-keyed maps: Nova reports unexpected keys, Cinder says they match no pattern (jsonschema's words)", () => {
    const schema = Type.Object({ metadata: keyedMap('^[a-z]+$', Type.String()) });
    assert.equal(
      messageOf(nova, schema, { metadata: { 'bad key!': 'v' } }),
      'Invalid input for field/attribute metadata. Value: {"bad key!":"v"}. Additional properties are not allowed (\'bad key!\' was unexpected)',
    );
    assert.equal(
      messageOf(cinder, schema, { metadata: { 'bad key!': 'v' } }),
      "Invalid input for field/attribute metadata. Value: {'bad key!': 'v'}. 'bad key!' does not match any of the regexes: '^[a-z]+$'",
    );
    assert.equal(messageOf(cinder, schema, { metadata: { k: 1 } }), "Invalid input for field/attribute k. Value: 1. 1 is not of type 'string'");
  });

  test('an anyOf of required properties (what Cinder calls "one of these sets must be given")', () => {
    const schema = Type.Object({ thing: Type.Object({ a: Type.Optional(Type.String()), b: Type.Optional(Type.String()) }, { anyOf: [{ required: ['a'] }, { required: ['b'] }] }) });
    assert.equal(messageOf(cinder, schema, { thing: {} }), 'Invalid input for field/attribute thing. Value: {}. {} is not valid under any of the given schemas');
    assert.equal(messageOf(cinder, schema, { thing: { b: 'x' } }), 'OK');
  });

  test('array items are reported under the array field', () => {
    const schema = Type.Object({ tags: Type.Array(Type.String({ maxLength: 3 })) });
    assert.equal(messageOf(nova, schema, { tags: ['ok', 'toolong'] }), "Invalid input for field/attribute tags. Value: toolong. 'toolong' is too long");
  });

  test('string lengths count characters, not UTF-16 units', () => {
    const schema = Type.Object({ name: Type.String({ maxLength: 2 }) });
    assert.equal(messageOf(nova, schema, { name: '\u{1F600}\u{1F600}' }), 'OK');
    assert.equal(messageOf(cinder, schema, { name: '\u{1F600}\u{1F600}' }), 'OK');
  });
});

describe('validation: bounded rendering of the offending value', () => {
  test('a long value is cut at 300 characters', () => {
    const schema = Type.Object({ name: Type.String({ maxLength: 5 }) });
    const message = messageOf(nova, schema, { name: 'x'.repeat(100_000) });
    assert.ok(message.length < 700, `${message.length} characters`);
    assert.match(message, /^Invalid input for field\/attribute name\. Value: x{300}\.\.\.\. 'x{300}\.\.\.' is too long$/);
  });

  test('a body nested 5,000 deep gives a 400 with a short message (no stack overflow)', () => {
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    let nested: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) nested = { a: nested };
    const schema = Type.Object({
      thing: Type.Object({ name: Type.Optional(Type.String()), metadata: Type.Optional(keyedMap('^.*$', Type.String())) }, { additionalProperties: false }),
    });
    for (const [validator, body] of [
      [nova, deep],
      [nova, { thing: { name: deep } }],
      [cinder, { thing: { metadata: { k: nested } } }],
      [cinder, { thing: nested }],
    ] as const) {
      const message = messageOf(validator, schema, body);
      assert.notEqual(message, 'OK');
      assert.ok(message.length < 1000, `${message.length} characters: ${message.slice(0, 100)}`);
    }
    assert.match(messageOf(nova, schema, deep), /^Invalid input for field\/attribute body\. Value: \[{32}\.\.\.\]{32}\. /);
  });

  test('values read as JSON for Nova and as Python for Cinder', () => {
    const schema = Type.Object({ f: Type.String() });
    const value = { a: [true, false, null, 1.5, 'q'] };
    assert.equal(
      messageOf(nova, schema, { f: value }),
      'Invalid input for field/attribute f. Value: {"a":[true,false,null,1.5,"q"]}. {"a":[true,false,null,1.5,"q"]} is not of type \'string\'',
    );
    assert.equal(
      messageOf(cinder, schema, { f: value }),
      "Invalid input for field/attribute f. Value: {'a': [True, False, None, 1.5, 'q']}. {'a': [True, False, None, 1.5, 'q']} is not of type 'string'",
    );
  });
});

describe('schemas by microversion', () => {
  const schema = Type.Object(
    {
      thing: byVersion({
        '2.1': Type.Object({ name: Type.String(), old: upTo('2.9', Type.String()), tag: since('2.5', Type.String()) }, { additionalProperties: false }),
        '2.20': Type.Object({ name: Type.String(), required: Type.String() }, { additionalProperties: false }),
      }),
    },
    { additionalProperties: false },
  );

  test('fields exist from `since`, up to `upTo`, and variants switch at their version', () => {
    assert.match(messageOf(nova, schema, { thing: { name: 'a', tag: 't' } }, '2.4'), /'tag' was unexpected/);
    assert.equal(messageOf(nova, schema, { thing: { name: 'a', tag: 't' } }, '2.5'), 'OK');
    assert.equal(messageOf(nova, schema, { thing: { name: 'a', old: 'o' } }, '2.9'), 'OK');
    assert.match(messageOf(nova, schema, { thing: { name: 'a', old: 'o' } }, '2.10'), /'old' was unexpected/);
    assert.match(messageOf(nova, schema, { thing: { name: 'a' } }, '2.20'), /'required' is a required property/);
    assert.equal(messageOf(nova, schema, { thing: { name: 'a' } }, '2.19'), 'OK');
  });

  test('a versioned schema needs the call version', () => {
    const check = nova.compile(schema);
    assert.throws(() => check({ thing: { name: 'a' } }), /depends on the microversion/);
  });

  test('nullable adds null to the type', () => {
    const s = Type.Object({ f: nullable(Type.String({ maxLength: 3 })) });
    assert.equal(messageOf(cinder, s, { f: null }), 'OK');
    assert.equal(messageOf(cinder, s, { f: 1 }), "Invalid input for field/attribute f. Value: 1. 1 is not of type 'string', 'null'");
  });
});
