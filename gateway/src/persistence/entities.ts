/** Every entity of the gateway's schema, for the ORM configuration. Add new entities here. */
import { ChannelConfigEntity } from '../channel-config/channel-config.entity.js';
import { ChannelRegistrationEntity } from '../channel-config/channel-registration.entity.js';
import { EngagementEntity } from '../directory/engagement.entity.js';
import { ProductMemberEntity } from '../directory/product-member.entity.js';
import { ProductTypeMemberEntity } from '../directory/product-type-member.entity.js';
import { ProductTypeEntity } from '../directory/product-type.entity.js';
import { ProductEntity } from '../directory/product.entity.js';
import { UserEntity } from '../directory/user.entity.js';
import { EventTypeEntity } from '../settings/event-type.entity.js';
import { GlobalSettingsEntity } from '../settings/global-settings.entity.js';
import { PersonalSettingsEntity } from '../settings/personal-settings.entity.js';
import { ProductSettingsEntity } from '../settings/product-settings.entity.js';
import { ApiTokenEntity } from '../tokens/api-token.entity.js';
import { DeadLetterEntity } from './dead-letter.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import { EventDecisionEntity } from './event-decision.entity.js';

export const GATEWAY_ENTITIES = [
  UserEntity,
  ProductTypeEntity,
  ProductEntity,
  ProductMemberEntity,
  ProductTypeMemberEntity,
  EngagementEntity,
  EventTypeEntity,
  GlobalSettingsEntity,
  PersonalSettingsEntity,
  ProductSettingsEntity,
  ChannelConfigEntity,
  ChannelRegistrationEntity,
  ApiTokenEntity,
  EventDecisionEntity,
  DeliveryEntity,
  DeadLetterEntity,
] as const;
