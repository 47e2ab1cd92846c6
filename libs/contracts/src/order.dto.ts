import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  Validate,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { IsMoneyAmount, lineCents, toCents } from './money';
import { OrderEvent } from './order-event';
import { IsReadableTimestamp, IsStorableText, MaxCharacters } from './storable';
import { OrderItemDto } from './order-item.dto';
import { ORDER_STATUSES, OrderStatus } from './order-status';

export const MAX_ITEMS_PER_ORDER = 100;
/** Far above the largest valid order (100 items); anything bigger is rejected before it is parsed. */
export const MAX_ORDER_BYTES = 256 * 1024;
/** numeric(10,2) holds at most 99,999,999.99. */
export const MAX_TOTAL_AMOUNT = 99_999_999.99;

@ValidatorConstraint({ name: 'totalMatchesItems' })
class TotalMatchesItemsConstraint implements ValidatorConstraintInterface {
  validate(total: unknown, args: ValidationArguments): boolean {
    const { items } = args.object as OrderDto;
    const priced =
      Array.isArray(items) &&
      items.every((i) => Number.isInteger(i?.quantity) && typeof i?.price === 'number');
    if (typeof total !== 'number' || !priced) return true; // the type rules report these
    const sum = items.reduce((cents, item) => cents + lineCents(item.quantity, item.price), 0);
    return toCents(total) === sum;
  }

  defaultMessage(): string {
    return 'total_amount must equal the sum of quantity × price over items, to the cent';
  }
}

/**
 * Version 1 of the order event on the orders topic. Unknown fields are ignored rather than
 * rejected, so older and newer producers keep interoperating with this consumer.
 */
export class OrderDto implements OrderEvent {
  @IsString()
  @IsNotEmpty()
  @MaxCharacters(50)
  @IsStorableText()
  order_id: string;

  @IsString()
  @IsNotEmpty()
  @MaxCharacters(50)
  @IsStorableText()
  customer_id: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  customer_name?: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  @IsStorableText()
  customer_email?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS_PER_ORDER)
  // class-validator's nested check lets [] or a missing value through as an item; an item is an object.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  items: OrderItemDto[];

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsMoneyAmount()
  @IsPositive()
  @Max(MAX_TOTAL_AMOUNT)
  @Validate(TotalMatchesItemsConstraint)
  total_amount: number;

  @IsIn(ORDER_STATUSES)
  @MaxLength(20)
  status: OrderStatus;

  @IsISO8601({ strict: true, strictSeparator: true })
  @IsReadableTimestamp()
  created_at: string;
}
